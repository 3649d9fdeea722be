"""Nothing stale, nothing foreign reaches the warehouse: cases that take two runs in a row, or
two loads at once. Builds skip dbt's own tests (`quick_dbt`) where the load is the point."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from flow_sites import QUICK_DBT_ARGS, REPO_ROOT, SAMPLES, Site, new_site

from flows import extraction_cache, incremental, runlog
from flows.inbox import discover_documents
from flows.incremental import refresh_staging
from flows.inputs import PROJECT_INPUTS, project_fingerprint
from flows.layout import OWNER_NAME, FolderOwnedElsewhere, WarehouseLayout
from flows.load import run_load

S000, S001, S003, S004 = ("000_17c09d71274dbf64.txt", "001_27d945da3f6b14f2.txt", "003_e524e1605217447e.txt",
                          "004_39cb5bcb496eb896.txt")


def query(database: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, list(params)).fetchall()


def staged_rows(staging: Path, table: str) -> list[dict[str, str]]:
    with (staging / f"{table}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def annual_total(database: Path, source_file: str) -> list[tuple]:
    return query(database, "select amount_wan from fact_budget_line join dim_document using (document_key) "
                           "where source_file = ? and label_raw = '资金总额' and phase = 'annual_budget'", source_file)


def test_two_warehouses_in_one_folder_loaded_at_once_publish_their_own_inboxes(tmp_path, monkeypatch):
    """One load in a process of its own (`perfbudget run`), the other in this process, at the
    same time (their runs' times overlap): a second process would only add its imports (~8 s of
    CPU, the quality gates' library most of it) to the test run."""
    parent = tmp_path / "data"
    inboxes = {"a": [S000, S001], "b": [S003, S004]}
    for name, files in inboxes.items():
        inbox = tmp_path / f"inbox_{name}"
        inbox.mkdir()
        for file in files:
            shutil.copy(SAMPLES / file, inbox / file)
    monkeypatch.setenv("PERFBUDGET_DBT_ARGS", QUICK_DBT_ARGS)
    other = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "run", "--direct", "--inbox", str(tmp_path / "inbox_a"),
         "--warehouse", str(parent / "warehouse_a")], cwd=REPO_ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    try:
        here = run_load(tmp_path / "inbox_b", parent / "warehouse_b")
    finally:
        _, err = other.communicate(timeout=600)
    assert other.returncode == 0, err
    assert here.run.status == "success"
    runs = {name: runlog.read_runs(parent / f"warehouse_{name}" / "run_log") for name in inboxes}
    [(started_a, ended_a)] = [(run.started_at, run.ended_at) for run in runs["a"]]
    [(started_b, ended_b)] = [(run.started_at, run.ended_at) for run in runs["b"]]
    assert started_a < ended_b and started_b < ended_a  # at once
    for name, files in inboxes.items():
        published = parent / f"warehouse_{name}" / "perfbudget.duckdb"
        assert sorted({row[0] for row in query(published, "select source_file from dim_document")}) == files
        assert (parent / f"warehouse_{name}" / "staging" / "documents.csv").exists()
    assert not (parent / "staging").exists() and not (parent / "quarantine").exists()


def test_a_staging_folder_of_another_warehouse_is_refused_unless_shared(tmp_path):
    shared = tmp_path / "shared_staging"
    WarehouseLayout.at(tmp_path / "one" / "warehouse", staging=shared).claim_folders()
    second = new_site(tmp_path / "two")
    refused = r"shared_staging belongs to the warehouse .*one/warehouse; .*--share-folders"
    with pytest.raises(FolderOwnedElsewhere, match=refused):
        run_load(second.inbox, second.warehouse, staging=shared)
    assert not (second.warehouse / "perfbudget.duckdb").exists()
    WarehouseLayout.at(second.warehouse, staging=shared, shared=True).claim_folders()  # said so: allowed
    owner = json.loads((shared / OWNER_NAME).read_text(encoding="utf-8"))
    assert owner == {"warehouse": str((tmp_path / "one" / "warehouse").resolve())}  # still the first's


def test_a_file_rewritten_between_hashing_and_parsing_is_cached_under_what_was_parsed(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(SAMPLES / S000, inbox / "a.txt")
    hash_then_rewrite = incremental.sha256_of

    def rewritten_after_hashing(path, *args, **kwargs):
        digest = hash_then_rewrite(path, *args, **kwargs)
        if path.name == "a.txt":
            shutil.copy(SAMPLES / S001, path)  # another form lands in a.txt before it is parsed
        return digest

    monkeypatch.setattr(incremental, "sha256_of", rewritten_after_hashing)
    staging = tmp_path / "staging"
    refresh_staging(discover_documents(inbox), inbox, staging, tmp_path / "quarantine")
    monkeypatch.undo()
    [document] = staged_rows(staging, "documents")
    assert document["source_file"] == "a.txt" and document["doc_type"] == "project_target"  # 001's form

    shutil.copy(SAMPLES / S000, inbox / "b.txt")  # b.txt holds what a.txt held when it was hashed
    summary = refresh_staging(discover_documents(inbox), inbox, staging, tmp_path / "quarantine")
    documents = {row["source_file"]: row["doc_type"] for row in staged_rows(staging, "documents")}
    assert documents == {"a.txt": "project_target", "b.txt": "dept_target"}
    assert summary.parsed == ["b.txt"]
    assert not [row for row in staged_rows(staging, "extraction_issues") if row["code"] == "duplicate_document"]


def test_a_revision_under_any_name_and_a_same_size_edit_with_its_mtime_restored_are_both_seen(site_copy, quick_dbt):
    """One night, two edits the load used to miss: a revision of 001 saved as `… (1).txt`
    (which sorts before the original: ' ' < '.') and a same-size edit of 000 whose mtime was
    set back. (An extractor change is a version change like the seed change below; that
    the version hashes the code is tested in tests/extract/test_version.py.)"""
    revision = (SAMPLES / S001).read_text(encoding="utf-8").replace("\t25227\t", "\t25228\t", 1)
    assert revision != (SAMPLES / S001).read_text(encoding="utf-8")
    name = S001.replace(".txt", " (1).txt")
    (site_copy.inbox / name).write_text(revision, encoding="utf-8")
    path = site_copy.inbox / S000
    before = path.stat()
    data = path.read_bytes()
    assert data.count(b"\t83300\t") == 1
    path.write_bytes(data.replace(b"\t83300\t", b"\t83400\t"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns

    result = run_load(site_copy.inbox, site_copy.warehouse)
    assert result.run.status == "success" and sorted(result.extraction.parsed) == sorted([S000, name])
    assert [float(row[0]) for row in annual_total(site_copy.published, S000)] == [83400.0]
    latest = query(site_copy.published, "select source_file from dim_document where is_latest "
                                        "and doc_type = 'project_target' and source_file like '001_%'")
    assert latest == [(name,)]
    funds = query(site_copy.published, "select total_funds_wan from mart_unit_budget_summary "
                                       "where unit_name = '南京市工业和信息化局'")
    assert [float(row[0]) for row in funds] == [25228.0]


def test_a_seed_change_re_extracts_and_republishes_without_force_through_a_corrupt_manifest(site_copy, tmp_path):
    seeds = tmp_path / "seeds"
    shutil.copytree(REPO_ROOT / "seeds", seeds)
    taxonomy = (seeds / "indicator_taxonomy.csv").read_text(encoding="utf-8").rstrip("\n").split("\n")
    (seeds / "indicator_taxonomy.csv").write_text("\n".join([*taxonomy, taxonomy[-1]]) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "flows.cli", "run", "--direct", "--inbox", str(site_copy.inbox),
               "--warehouse", str(site_copy.warehouse)]
    environment = {**os.environ, "PERFBUDGET_DBT_ARGS": QUICK_DBT_ARGS}
    manifest = site_copy.staging / ".incremental" / "manifest.json"
    manifest.write_bytes(b"[]")  # and the night heals a corrupt manifest on the way
    changed = subprocess.run(command, cwd=REPO_ROOT, env={**environment, "PERFBUDGET_SEEDS": str(seeds)},
                             capture_output=True, text=True, timeout=600)
    assert changed.returncode == 0, changed.stderr
    assert "(success)" in changed.stdout and "5 extracted, 0 reused" in changed.stdout
    assert f"extraction manifest {manifest} is unreadable" in changed.stderr
    assert json.loads(manifest.read_text(encoding="utf-8"))["files"]


@pytest.mark.parametrize("manifest", [b"[]", b"\xff\xfe not utf-8", b'{"cache_version": 1, "files": 7}', b'{"fil'])
def test_a_corrupt_manifest_is_rebuilt_with_a_warning_and_the_rows_reused(tmp_path, manifest):
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    staging = tmp_path / "staging"
    refresh_staging(discover_documents(inbox), inbox, staging, tmp_path / "quarantine")
    before = (staging / "indicators.csv").read_bytes()
    path = staging / ".incremental" / "manifest.json"
    path.write_bytes(manifest)
    with pytest.warns(UserWarning, match=r"manifest.json is unreadable .*rebuilt from the inbox") as warned:
        summary = refresh_staging(discover_documents(inbox), inbox, staging, tmp_path / "quarantine")
    assert str(path) in str(warned[0].message)
    assert summary.parsed == [] and len(summary.reused_by_hash) == 5  # hashed again, parsed never
    assert (staging / "indicators.csv").read_bytes() == before
    assert json.loads(path.read_text(encoding="utf-8"))["cache_version"] == extraction_cache.cache_version()


def test_runs_share_nothing_with_a_staging_folder_beside_the_warehouse(site_copy):
    """The old default (`WAREHOUSE/../staging`) is not read: a stale table there changes nothing."""
    stale = site_copy.root / "staging"
    stale.mkdir(exist_ok=True)
    (stale / "documents.csv").write_text("doc_id\nstale\n", encoding="utf-8")
    assert run_load(site_copy.inbox, site_copy.warehouse).run.status == "skipped"
    assert Site(site_copy.root).staging == site_copy.warehouse / "staging"


def test_every_project_input_exists_and_the_code_that_lands_the_rows_is_one(tmp_path):
    """A renamed module or folder would drop out of the fingerprint without a word; the flows
    modules that decide which rows land count like the extractor's own code."""
    assert [name for name in PROJECT_INPUTS if not (REPO_ROOT / name).exists()] == []
    project = tmp_path / "project"
    for name in PROJECT_INPUTS:
        source, copy = REPO_ROOT / name, project / name
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, copy, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, copy)
    base = project_fingerprint(project, "")
    assert base == project_fingerprint(REPO_ROOT, "")
    landing = project / "flows" / "landing.py"
    landing.write_text(landing.read_text(encoding="utf-8") + "\n# fix\n", encoding="utf-8")
    assert project_fingerprint(project, "") != base
