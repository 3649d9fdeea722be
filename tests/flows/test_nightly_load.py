"""The nightly load end to end (flow body run directly: same steps, no Prefect server):
publish, incremental re-runs, readers, failed gates and builds, a killed run, quarantine."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import duckdb
import pytest
from flow_sites import QUICK_DBT_ARGS, REPO_ROOT, Site, insert_line, record_dbt_spawns, run_log_warnings

from expectations.runner import GateFailed, import_library
from flows import gates, runlog
from flows import load as load_module
from flows import publish as publish_module
from flows.build import DbtBuildFailed, dbt_build, require_success
from flows.load import STEPS, run_load
from flows.publish import BackgroundCopy

READER = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1], read_only=True)
def state():
    run = connection.execute("select max(run_id) from etl_runs where status = 'success'").fetchone()[0]
    rows = connection.execute("select count(*) from fact_indicator").fetchone()[0]
    return f"{run} {rows}"
print(state(), flush=True)
sys.stdin.readline()
print(state(), flush=True)
"""


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def fact_rows(database: Path) -> dict[str, list[tuple]]:
    return {table: query(database, f"select * from {table} order by all")
            for table in ("fact_budget_line", "fact_indicator", "dim_document", "dim_project", "dim_unit")}


def last_run(site: Site) -> runlog.RunRecord:
    return runlog.read_runs(site.run_log)[-1]


def test_first_run_builds_and_publishes_the_samples(loaded_site):
    site, result = loaded_site
    run = result.run
    assert run.status == "success" and run.files_seen == 5 and run.files_changed == 5
    assert run.files_quarantined == 0 and run.forms == 16
    assert run.published_file == str(site.published)
    assert result.rows["dim_document"] == 16
    assert result.rows["fact_indicator"] > 250 and result.rows["fact_budget_line"] > 100
    assert query(site.published, "select count(*) from dim_document") == [(16,)]
    assert query(site.published, "select run_id, status, files_changed, rows_fact_indicator from etl_runs") == [
        (run.run_id, "success", 5, result.rows["fact_indicator"])]
    stages = dict(query(site.published, "select stage, count(*) from dq_results group by stage"))
    assert stages["staging"] > 30 and stages["marts"] > 20
    assert query(site.published, "select count(*) from dq_results where status in ('fail', 'error')") == [(0,)]
    assert [p.name for p in (site.warehouse / "builds").glob("*.duckdb")] == [f"{run.run_id}.duckdb"]
    assert (Path(run.quality_docs) / "staging" / "index.html").exists()
    assert (Path(run.quality_docs) / "marts" / "index.html").exists()
    assert not (REPO_ROOT / "gx").exists()


def test_nothing_changed_run_skips_the_build_and_leaves_the_published_file_untouched(site_copy, monkeypatch):
    """Extracts nothing (no file even read), builds nothing, publishes nothing: the published
    file keeps its bytes and mtime; the run is logged as `skipped` in the run log. (The copy
    of the site gave every file a new ctime: the first run hashes them, parses none.)"""
    from flows import incremental
    from flows import load as load_module

    published, stat = sha(site_copy.published), site_copy.published.stat()
    old_run = last_run(site_copy).run_id
    # nor is the published file copied for a build (the copy starts only when the CSVs change)
    monkeypatch.setattr(load_module, "BackgroundCopy", lambda *a, **k: pytest.fail("the published file was copied"))
    monkeypatch.setattr(load_module, "MovedBuild", lambda *a, **k: pytest.fail("the kept build was moved"))
    rehashed = run_load(site_copy.inbox, site_copy.warehouse)
    assert rehashed.run.status == "skipped" and len(rehashed.extraction.reused_by_hash) == 5
    monkeypatch.setattr(incremental, "extract_file", lambda *a, **k: pytest.fail("a file was parsed"))
    monkeypatch.setattr(incremental, "sha256_of", lambda *a, **k: pytest.fail("a file was read"))
    monkeypatch.setitem(STEPS, "dbt_build", lambda *a: pytest.fail("dbt build ran"))
    monkeypatch.setitem(STEPS, "gate_staging", lambda *a: pytest.fail("the staging gate ran"))
    monkeypatch.setitem(STEPS, "publish", lambda *a: pytest.fail("published"))
    result = run_load(site_copy.inbox, site_copy.warehouse)
    assert result.run.status == "skipped" and result.run.files_changed == 0 and result.run.files_reused == 5
    assert old_run in result.run.message and result.run.published_file == str(site_copy.published)
    assert sha(site_copy.published) == published
    assert site_copy.published.stat().st_mtime_ns == stat.st_mtime_ns
    assert [(run.run_id, run.status) for run in runlog.read_runs(site_copy.run_log)][-3:] == [
        (old_run, "success"), (rehashed.run.run_id, "skipped"), (result.run.run_id, "skipped")]
    assert len(result.extraction.reused_by_stat) == 5
    assert query(site_copy.published, "select run_id, status from etl_runs") == [(old_run, "success")]
    assert result.extraction.staging_unchanged


def _damage_the_run_log(site: Site) -> set[str]:
    """Lines that would break the casts into `etl_runs` / `dq_results` (a timestamp that is not
    one, an integer out of range) and lines that are no record at all, put into the run log;
    returns the warnings a load gives for them."""
    runs, checks = site.run_log / runlog.RUNS_FILE, site.run_log / runlog.DQ_FILE
    insert_line(runs, 1, b'{"run_id": "20260101T000000Z-badts", "started_at": "soon", "status": "success"}\n')
    insert_line(runs, 2, b'{"run_id": "20260101T000000Z-big", "started_at": "2026-01-01T00:00:00+00:00", '
                         b'"status": "success", "files_seen": 99999999999}\n')
    insert_line(runs, 3, b"\xc3\x28 not utf-8\n")
    dq_lines = len(checks.read_bytes().splitlines())
    insert_line(checks, 1, b'{"run_id": "20260101T000000Z-dq", "stage": "dbt"}\n')
    insert_line(checks, 2, b"[]\n")
    with checks.open("ab") as stream:
        stream.write(b'{"run_id": "20260101T000000Z-dq2", "stage": "dbt", "suite": "s", "table_name": "", '
                     b'"check_name": "c", "column_name": "", "status": "pass", "success": "yes", "failures": 0, '
                     b'"observed": "", "recorded_at": "2026-01-01T00:00:00+00:00"}\n')
        stream.write(b'{"run_id": "20260101T000000Z-dq3", "recorded_at": ')
    return {
        f"{runs} line 1 skipped: started_at 'soon' is not an ISO 8601 timestamp",
        f"{runs} line 2 skipped: files_seen 99999999999 is out of range",
        f"{runs} line 3 skipped: not UTF-8 text (byte 0xc3 at offset 0)",
        f"{checks} line 1 skipped: no suite",
        f"{checks} line 2 skipped: an array, not an object",
        f"{checks} line {dq_lines + 3} skipped: success is a string where true or false was expected",
        f"{checks} line {dq_lines + 4} skipped: not valid JSON (Expecting value, column 51)",
    }


def test_forced_run_after_a_skipped_one_publishes_it_with_a_reader_holding_the_file(loaded_site, site_copy,
                                                                                      monkeypatch):
    """A reader that holds the published file open neither blocks the load nor sees a broken
    file; a new reader sees the new run, and etl_runs now lists the skipped run too. The publish
    renames the build itself in and keeps the copy made during the marts gate (it never copies
    the build again), and the kept build holds the same run log. Damaged lines of the run log
    (tests/flows/test_logs_heal.py, whose build this is too) are skipped with a warning each and
    never reach the published tables."""
    _, loaded = loaded_site
    skipped = run_load(site_copy.inbox, site_copy.warehouse).run
    assert skipped.status == "skipped"
    damage_warnings = _damage_the_run_log(site_copy)
    monkeypatch.setenv("PERFBUDGET_DBT_ARGS", QUICK_DBT_ARGS)  # (other dbt arguments alone would build too)
    before = fact_rows(site_copy.published)
    reader = subprocess.Popen([sys.executable, "-c", READER, str(site_copy.published)], text=True,
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    copies = []
    monkeypatch.setattr(load_module, "BackgroundCopy",
                        lambda *args, **kwargs: copies.append(args) or BackgroundCopy(*args, **kwargs))
    monkeypatch.setattr(publish_module, "_replace_atomically", None)  # publish must not copy the build
    # a full build of an inbox this large (any) is lean: each gate runs in a child process and
    # dbt builds with one thread (flows/gates.py, flows/build.py LEAN_ARGS)
    monkeypatch.setattr(gates, "LEAN_MIN_BYTES", 0)
    spawned = record_dbt_spawns(monkeypatch)
    in_child, run_in_child = [], gates._run
    monkeypatch.setattr(gates, "_run", lambda function, *args: in_child.append(function.__name__)
                        or run_in_child(function, *args))
    # the skipped night started importing Great Expectations in a thread (expectations.runner
    # preload_library); an import that sets warnings filters while this test records warnings can
    # drop them (warnings.catch_warnings is not thread-safe): the import ends first
    import_library()
    try:
        first = reader.stdout.readline().split()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = run_load(site_copy.inbox, site_copy.warehouse, force=True)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().split() == first  # still the old build, whole
    finally:
        reader.kill()
        reader.wait()
    assert result.run.status == "success" and result.run.files_changed == 5  # --force re-extracts too
    assert fact_rows(site_copy.published) == before
    assert set(run_log_warnings(caught)) == damage_warnings
    runs = query(site_copy.published, "select run_id, status, files_changed from etl_runs order by started_at, run_id")
    assert runs == [(loaded.run.run_id, "success", 5), (skipped.run_id, "skipped", 0),
                    (result.run.run_id, "success", 5)]
    assert {row[0] for row in query(site_copy.published, "select distinct run_id from dq_results")} == {
        loaded.run.run_id, result.run.run_id}
    assert in_child == ["validate_staging", "validate_marts"] and gates._warm is None
    [(ahead, dbt)] = spawned
    assert not ahead and dbt.args[dbt.args.index("--threads") + 1] == "1"
    stages = query(site_copy.published, "select stage, count(*) > 30 from dq_results "
                   f"where run_id = '{result.run.run_id}' and stage <> 'dbt' group by stage order by stage")
    assert stages == [("marts", True), ("staging", True)]  # the children's outcomes, recorded here
    kept = site_copy.warehouse / "builds" / f"{result.run.run_id}.duckdb"
    assert query(kept, "select run_id, status, files_changed from etl_runs order by started_at, run_id") == runs
    # the build is published itself; its copy, made during the marts gate, is kept
    assert [name for _, name in copies] == [kept.with_name(f".{kept.name}.{os.getpid()}.tmp")]
    assert not list(site_copy.warehouse.glob(".*.tmp*")) and not list(kept.parent.glob(".*.tmp*"))
    fresh = subprocess.run([sys.executable, "-c", READER, str(site_copy.published)], input="\n",
                           capture_output=True, text=True, check=True)
    assert fresh.stdout.split()[0] == result.run.run_id


def test_contract_break_fails_at_the_gate_and_leaves_the_warehouse_untouched(site_copy, monkeypatch):
    published = sha(site_copy.published)
    extract_changed = STEPS["extract_changed"]

    def extract_then_break(*args, **kwargs):
        summary = extract_changed(*args, **kwargs)
        documents = site_copy.staging / "documents.csv"
        text = documents.read_text(encoding="utf-8")
        documents.write_text(text.replace(",project_target,", ",budget_table,", 1), encoding="utf-8")
        return summary

    monkeypatch.setitem(STEPS, "extract_changed", extract_then_break)
    # a changed file, so that this night lands its forms (an incremental night lands only those)
    changed = site_copy.inbox / "004_39cb5bcb496eb896.txt"
    changed.write_bytes(changed.read_bytes() + "\n（修改）\n".encode())
    with pytest.raises(GateFailed, match=r"staging\.documents: expect_column_values_to_be_in_set on "
                                         r"documents\.doc_type"):
        run_load(site_copy.inbox, site_copy.warehouse)
    assert sha(site_copy.published) == published
    failed = last_run(site_copy)
    assert (failed.status, failed.failed_step) == ("failed", "gate_staging")
    assert "doc_type" in failed.message
    checks = [c for c in runlog.read_checks(site_copy.run_log) if c.run_id == failed.run_id]
    assert any(c.check_name == "expect_column_values_to_be_in_set" and not c.success for c in checks)
    assert not (site_copy.warehouse / "builds" / ".building.duckdb").exists()


def test_failing_dbt_build_fails_the_load_and_leaves_the_warehouse_untouched(site_copy, monkeypatch, tmp_path):
    """A model that errors fails the night at dbt_build. The model is the project's own, its
    staging CSV out of reach (the build reads a folder that holds none): a broken model added to
    a copy of the project made dbt parse the whole copy (~9 s of CPU)."""
    unreadable = tmp_path / "no_staging_csvs"
    unreadable.mkdir()
    monkeypatch.setitem(STEPS, "dbt_build", lambda database, staging, work, start_from=None, copied=False: (
        require_success(dbt_build(database, unreadable, work, start_from=start_from, copied=copied,
                                  extra_args=["--select", "stg_perfbudget__documents"]))))
    published = sha(site_copy.published)
    with pytest.raises(DbtBuildFailed, match="stg_perfbudget__documents error"):
        run_load(site_copy.inbox, site_copy.warehouse, force=True)  # nothing changed: forced to build
    assert sha(site_copy.published) == published
    failed = last_run(site_copy)
    assert (failed.status, failed.failed_step) == ("failed", "dbt_build")
    assert "No files found" in failed.message and "documents.csv" in failed.message
    dbt_checks = {c.suite: c for c in runlog.read_checks(site_copy.run_log)
                  if c.run_id == failed.run_id and c.stage == "dbt"}
    assert (dbt_checks["model.perfbudget.stg_perfbudget__documents"].status,
            dbt_checks["model.perfbudget.stg_perfbudget__documents"].success) == ("error", False)


def test_a_night_that_fails_after_moving_the_kept_build_gives_the_published_run_its_build_back(
        site_copy, monkeypatch, tmp_path):
    """An incremental night moves the published run's kept build into its build (flows.publish.
    MovedBuild). When it fails after dbt wrote that build, the build is removed and the published
    run gets its kept build back as a second name of the published file (keep_published): a
    rollback still finds it, and the next night copies the published file rather than move (and
    write) a kept build that is the published file."""
    from flows.inputs import delta_base_of, project_fingerprint
    from flows.layout import WarehouseLayout
    from flows.load import start_of_build
    from flows.publish import kept_builds

    layout = WarehouseLayout.at(site_copy.warehouse)
    kept = layout.build_of(last_run(site_copy).run_id)
    published = sha(site_copy.published)
    assert not os.path.samefile(kept, site_copy.published)
    changed = sorted(site_copy.inbox.iterdir())[2]
    changed.write_bytes(changed.read_bytes() + b"\n")
    wrote = []

    def dbt_writes_then_dies(database, staging, work, start_from=None, copied=False, **options):
        assert copied and start_from == site_copy.published and not kept.exists()  # moved, not copied
        with duckdb.connect(str(database)) as connection:
            connection.execute("create table half_built as select 1 as one")
        wrote.append(database)
        raise RuntimeError("dbt died half-way")

    monkeypatch.setitem(STEPS, "dbt_build", dbt_writes_then_dies)
    with pytest.raises(RuntimeError, match="dbt died half-way"):
        run_load(site_copy.inbox, site_copy.warehouse)
    assert wrote == [layout.building] and not layout.building.exists()
    assert sha(site_copy.published) == published
    assert os.path.samefile(kept, site_copy.published)
    assert kept_builds(layout) == [kept]
    base = delta_base_of(layout, project_fingerprint())
    assert base is not None and base.kept is None  # the kept build is the published file: not moved
    start = start_of_build(base, tmp_path / "build.duckdb")
    assert isinstance(start, BackgroundCopy) and sha(start.wait()) == published


def test_a_kept_build_written_before_the_machine_restarted_is_not_moved_into_a_build(site_copy):
    """The kept build is written without waiting for the disk (flows.publish `publish`): the next
    night moves it into its build only within the same boot of the machine (flows.delta
    `boot_id`); after a restart the published file is copied instead."""
    from flows.delta import boot_id
    from flows.extraction_cache import write_json_atomic
    from flows.inputs import RECORD_NAME, delta_base_of, project_fingerprint
    from flows.layout import WarehouseLayout

    layout = WarehouseLayout.at(site_copy.warehouse)
    kept = layout.build_of(last_run(site_copy).run_id)
    record_path = layout.root / RECORD_NAME
    record = json.loads(record_path.read_text(encoding="utf-8"))
    assert record["kept_boot"] == boot_id() is not None
    assert delta_base_of(layout, project_fingerprint()).kept == kept
    write_json_atomic(record_path, {**record, "kept_boot": "a boot before a restart"})
    base = delta_base_of(layout, project_fingerprint())
    assert base is not None and base.run_id == record["run_id"] and base.kept is None


def _dbt_descendant(pid: int) -> bool:
    pending, seen = [pid], set()
    while pending:
        current = pending.pop()
        seen.add(current)
        for children in Path(f"/proc/{current}/task").glob("*/children"):
            for child in children.read_text().split():
                if int(child) not in seen:
                    pending.append(int(child))
                    try:
                        cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ")
                    except OSError:
                        continue
                    if b"dbt" in cmdline and b" build " in cmdline:
                        return True
    return False


def test_sigkill_during_dbt_build_then_a_changed_sample_is_the_only_one_extracted(site_copy, quick_dbt):
    published = sha(site_copy.published)
    load = subprocess.Popen([sys.executable, "-m", "flows.cli", "run", "--direct", "--inbox",
                             str(site_copy.inbox), "--warehouse", str(site_copy.warehouse)],
                            cwd=REPO_ROOT, env=os.environ.copy(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not _dbt_descendant(load.pid):
            assert load.poll() is None, "the load ended before dbt build started"
            assert time.monotonic() < deadline, "dbt build never started"
            time.sleep(0.05)
        time.sleep(0.5)
    finally:
        os.killpg(load.pid, signal.SIGKILL)
        load.wait()
    assert load.returncode == -signal.SIGKILL
    assert sha(site_copy.published) == published
    killed = last_run(site_copy)
    assert killed.status == "running"

    changed = sorted(site_copy.inbox.iterdir())[3]
    changed.write_bytes(changed.read_bytes() + b"\n")
    result = run_load(site_copy.inbox, site_copy.warehouse)
    assert result.run.status == "success"
    assert result.extraction.parsed == [changed.name]  # only the changed sample is re-extracted
    assert result.run.files_changed == 1 and result.run.files_reused == 4
    assert sha(site_copy.published) != published
    states = dict(query(site_copy.published, "select run_id, status from etl_runs"))
    assert states[killed.run_id] == "abandoned" and states[result.run.run_id] == "success"
    assert not (site_copy.warehouse / "builds" / ".building.duckdb").exists()


@pytest.fixture(scope="module")
def docs_site(loaded_site, tmp_path_factory) -> Site:
    """A copy of the loaded site for the docs tests: `perfbudget docs` writes <warehouse>/docs, and
    the loaded site is shared by every worker of the run (other tests copy it meanwhile)."""
    site, _ = loaded_site
    copy = Site(tmp_path_factory.mktemp("docs") / "site")
    shutil.copytree(site.root, copy.root, symlinks=True)
    return copy


def test_docs_site_describes_the_published_warehouse_with_types_and_comments(docs_site, tmp_path):
    """`perfbudget docs` (flows/docs.py): dbt's docs site generated from a copy of the published
    file, so its catalog has every column's type; served on loopback, it answers with the site
    and mart_project_scorecard's columns, types and 中文 — English descriptions. The published
    file is left byte for byte as it was."""
    import json
    import threading
    import urllib.request

    from flows.docs import docs_server, generate_docs
    from flows.layout import WarehouseLayout

    layout = WarehouseLayout.at(docs_site.warehouse)
    before = hashlib.sha256(layout.published.read_bytes()).hexdigest()
    folder = generate_docs(layout)
    assert folder == layout.root / "docs"
    assert sorted(p.name for p in folder.iterdir()) == ["catalog.json", "index.html", "manifest.json",
                                                        "static_index.html"]
    assert hashlib.sha256(layout.published.read_bytes()).hexdigest() == before
    server = docs_server(folder, port=0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        with urllib.request.urlopen(f"{base}/index.html", timeout=10) as page:
            assert page.status == 200 and b"dbt" in page.read()
        with urllib.request.urlopen(f"{base}/catalog.json", timeout=10) as answer:
            catalog = json.load(answer)
    finally:
        server.shutdown()
        server.server_close()
    columns = catalog["nodes"]["model.perfbudget.mart_project_scorecard"]["columns"]
    assert columns["project_key"]["type"] == "VARCHAR"
    assert columns["n_indicators"]["type"] == "INTEGER"
    assert columns["share_quantitative"]["type"].startswith("DECIMAL")
    assert columns["project_name"]["comment"] == "项目名称 — Project name as printed"
    assert all(" — " in (column["comment"] or "") for column in columns.values())


def test_docs_site_page_of_the_scorecard_renders_offline(docs_site, tmp_path):
    """The static site in a headless browser with no network: the scorecard's page lists its
    columns with their types and descriptions."""
    from tests.browser import dump_dom

    folder = docs_site.warehouse / "docs"
    if not (folder / "static_index.html").exists():
        from flows.docs import generate_docs
        from flows.layout import WarehouseLayout

        generate_docs(WarehouseLayout.at(docs_site.warehouse))
    url = (folder / "static_index.html").as_uri() + "#!/model/model.perfbudget.mart_project_scorecard"
    text = " ".join(dump_dom(url, tmp_path / "profile", virtual_time_ms=20000).split())
    for expected in ("mart_project_scorecard", "share_quantitative", "VARCHAR", "INTEGER",
                     "项目名称 — Project name as printed"):
        assert expected in text


def test_readme_run_summary_is_what_a_run_on_the_samples_prints(loaded_site):
    """The summary block of the README (its first code block after `make run`) line for line,
    run id and paths aside, is what the load on the samples reports."""
    import re

    _, result = loaded_site
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"its last lines are the run's summary.*?```\n(.*?)```", readme, flags=re.DOTALL).group(1)
    shown = [tuple(line.split(None, 1)) if not line.startswith("rows ") else
             (" ".join(line.split()[:2]), line.split(None, 2)[2]) for line in block.splitlines()]
    actual = dict(result.summary_rows())
    assert [label for label, _ in shown] == [label for label in actual if label in dict(shown)]
    for label, value in shown:
        if label == "run":
            assert value.endswith("(success)") and actual[label].endswith("(success)")
        elif label == "published":
            assert actual[label].endswith("/perfbudget.duckdb")
        else:
            assert actual[label] == value.strip(), label


def test_a_failed_staging_gate_stops_the_dbt_started_ahead(site_copy, monkeypatch):
    """A night that fails before its build leaves no dbt process waiting."""
    spawned = record_dbt_spawns(monkeypatch)
    (site_copy.inbox / "000_17c09d71274dbf64.txt").write_text("年度\n", encoding="utf-8")

    def broken_gate(*args, **kwargs):
        raise RuntimeError("the gate broke")

    monkeypatch.setitem(STEPS, "gate_staging", broken_gate)
    with pytest.raises(RuntimeError, match="the gate broke"):
        run_load(site_copy.inbox, site_copy.warehouse)
    assert [ahead for ahead, _ in spawned] == [True]
    assert spawned[0][1].poll() is not None  # stopped and reaped, never sent on
    assert spawned[0][1].returncode != 0
