"""The warehouse grows by what changed: a night after a few files changed builds on a copy of
the published warehouse (the published run's kept build, moved into place) and replaces only
those documents' rows (flows/delta.py, macros/perfbudget_incremental.sql), and gives exactly
the tables a full rebuild gives.

One module-scoped scenario, three builds: the samples published (full, every dbt test: the
samples' load shared by the test run, tests/shared_builds.py, copied), then one document
changed, one removed and one copy of another added (incremental, its dbt tests on the changed
rows), then the same inbox rebuilt from scratch with `force` (full) on a copy of the site,
without dbt's tests (they change no table; the reference only has to be built in full). The
tests compare the two warehouses table by table, row by row, and look for the removed document
in every table.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest
from flow_sites import QUICK_DBT_ARGS, Site, record_dbt_spawns

from flows import load as load_module
from flows.build import LEAN_SETTINGS
from flows.load import run_load
from flows.publish import BackgroundCopy, MovedBuild

CHANGED = "001_27d945da3f6b14f2.txt"
REMOVED = "003_e524e1605217447e.txt"
COPIED_FROM, COPY = "000_17c09d71274dbf64.txt", "000_copy.txt"
# the run log differs by construction (other runs), and so do the list of what changed and the
# units of the forms it replaced (empty on a full build)
NOT_COMPARED = {"etl_runs", "dq_results", "etl_latest_run", "stg_perfbudget__changed_documents",
                "int_units_of_replaced_forms", "int_changed_units"}


@pytest.fixture(scope="module")
def scenario(loaded_site, tmp_path_factory) -> dict:
    shared, first = loaded_site  # the first night: the samples' shared load, copied (mtimes kept)
    root = tmp_path_factory.mktemp("incremental")
    site = Site(root / "site")
    shutil.copytree(shared.root, site.root, symlinks=True)
    published_before = site.published.stat().st_mtime_ns
    published_before_file = root / "published_before.duckdb"  # the first night's warehouse, kept
    shutil.copyfile(site.published, published_before_file)
    removed_doc_ids = _query(site.published, "select doc_id from dim_document where source_file = ?", [REMOVED])
    old_changed_ids = _query(site.published, "select doc_id from dim_document where source_file = ?", [CHANGED])

    changed = site.inbox / CHANGED
    changed.write_text(changed.read_text(encoding="utf-8").replace("≥180\t365", "≥190\t366"), encoding="utf-8")
    (site.inbox / REMOVED).unlink()
    shutil.copy(site.inbox / COPIED_FROM, site.inbox / COPY)
    copies: list[tuple] = []  # copies, moved builds, and "extracted" when extraction returned
    extract_changed = load_module.STEPS["extract_changed"]

    build_inode = []

    def recorded(source: Path, destination: Path) -> BackgroundCopy:
        copies.append((source, destination))
        build_inode.append(source.stat().st_ino)
        return BackgroundCopy(source, destination)

    def moved(kept: Path, destination: Path, source: Path) -> MovedBuild:
        copies.append(("moved", kept, destination))
        return MovedBuild(kept, destination, source)

    def extract_then_note(*args, **kwargs):
        summary = extract_changed(*args, **kwargs)
        copies.append("extracted")
        return summary

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(load_module, "BackgroundCopy", recorded)
        patch.setattr(load_module, "MovedBuild", moved)
        patch.setitem(load_module.STEPS, "extract_changed", extract_then_note)
        envs_second: list[dict[str, str]] = []
        spawned_second = record_dbt_spawns(patch, envs_second)
        patch.delenv("PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS", raising=False)
        second = run_load(site.inbox, site.warehouse)
    record_second = json.loads((site.warehouse / "published_inputs.json").read_text(encoding="utf-8"))
    changes = (site.staging / "changed_documents.csv").read_text(encoding="utf-8")

    rebuilt = Site(root / "rebuilt")
    shutil.copytree(site.root, rebuilt.root, symlinks=True)
    with pytest.MonkeyPatch.context() as patch:  # the reference tables: dbt's tests change none of them
        patch.setenv("PERFBUDGET_DBT_ARGS", QUICK_DBT_ARGS)
        for name, value in LEAN_SETTINGS.items():  # the DuckDB settings of a large inbox's full build
            patch.setenv(name, value)
        envs_full: list[dict[str, str]] = []
        spawned_full = record_dbt_spawns(patch, envs_full)
        full = run_load(rebuilt.inbox, rebuilt.warehouse, force=True)
    record_full = json.loads((rebuilt.warehouse / "published_inputs.json").read_text(encoding="utf-8"))
    return {"site": site, "rebuilt": rebuilt, "first": first, "second": second, "full": full,
            "published_before": published_before, "published_before_file": published_before_file,
            "removed_doc_ids": [row[0] for row in removed_doc_ids],
            "old_changed_ids": [row[0] for row in old_changed_ids], "changes": changes, "copies": copies,
            "spawned_second": spawned_second, "spawned_full": spawned_full, "build_inode": build_inode[-1],
            "envs_second": envs_second, "envs_full": envs_full, "record_second": record_second,
            "record_full": record_full}


def _query(database: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, parameters or []).fetchall()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _tables(database: Path) -> list[tuple[str, str]]:
    rows = _query(database, "select schema_name, table_name from duckdb_tables() "
                            "where database_name = current_database() order by 1, 2")
    return [(schema, table) for schema, table in rows if table not in NOT_COMPARED]


def _attached_columns(connection: duckdb.DuckDBPyConnection, database: str | None, schema: str,
                      table: str) -> list[str]:
    """The table's columns in order, read through an open connection (`database` None: its own
    file; a new connection per table and file cost ~20 s over the ~80 tables)."""
    return [row[0] for row in connection.execute(
        "select column_name from duckdb_columns() where database_name = coalesce(?, current_database()) "
        "and schema_name = ? and table_name = ? order by column_index", [database, schema, table]).fetchall()]


def test_the_first_night_is_full_and_the_next_builds_on_the_published_warehouse(scenario):
    assert scenario["first"].build_mode == "full"
    assert scenario["second"].build_mode.startswith(f"incremental on run {scenario['first'].run.run_id}: ")
    assert scenario["second"].build_mode.endswith(": 3 files changed")
    assert scenario["full"].build_mode == "full"  # force: a full rebuild
    summary = dict(scenario["second"].summary_rows())
    assert summary["build"] == scenario["second"].build_mode
    # the unchanged files were counted from the published build's record, not read: the counts
    # of the incremental night are the full rebuild's
    full = dict(scenario["full"].summary_rows())
    for label in ("files", "quarantined", "forms", "rows fact_budget_line", "rows fact_indicator",
                  "rows dim_document", "warnings"):
        assert summary[label] == full[label], label
    assert summary["changed"] == "1 extracted, 4 reused from cache"
    # the changes file names the changed file's old and new forms, the removed file's, and the copy
    lines = scenario["changes"].splitlines()
    assert lines[0] == "source_file,doc_id,source_sha256,part_seq,change"
    by_file: dict[str, list[str]] = {}
    for line in lines[1:]:
        name, doc_id, _, _, change = line.split(",")
        by_file.setdefault(name, []).append(f"{change}:{doc_id}")
    assert sorted(by_file) == sorted([COPY, CHANGED, REMOVED])
    assert by_file[REMOVED] == [f"old:{doc_id}" for doc_id in scenario["removed_doc_ids"]]
    assert by_file[COPY] == ["file:"]  # a duplicate lands one warning and no form
    assert [entry for entry in by_file[CHANGED] if entry.startswith("old:")] == \
        [f"old:{doc_id}" for doc_id in scenario["old_changed_ids"]]
    # the staging CSVs of the incremental night hold only the changed files' rows
    documents = (scenario["site"].staging / "documents.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert {line.split(",")[1] for line in documents} == {CHANGED}


def test_the_night_copies_one_file_and_moves_the_kept_build_into_its_build(scenario):
    """The incremental night starts its build from the first night's kept build, moved into place
    (flows.publish.MovedBuild) while extraction runs (once it finds that the staging CSVs change),
    not from a copy of the published file; it copies its build during the marts gate to keep it
    (flows.publish.BackgroundCopy, not flushed to disk during the night) and publishes the build
    itself. Publishing gives the first run its kept build back: the file it replaced, byte for
    byte, no longer the published one."""
    site, first_run = scenario["site"], scenario["first"].run.run_id
    builds = site.warehouse / "builds"
    building, first_kept = builds / ".building.duckdb", builds / f"{first_run}.duckdb"
    second_kept = builds / f"{scenario['second'].run.run_id}.duckdb"
    assert scenario["copies"] == [("moved", first_kept, building),
                                  "extracted",
                                  (building, builds / f".{second_kept.name}.{os.getpid()}.tmp")]
    assert not list(site.warehouse.glob(".*.tmp*")) and not list(builds.glob(".*.tmp*")) and not building.exists()
    # the build itself is published (its inode), its copy is kept
    assert site.published.stat().st_ino == scenario["build_inode"]
    assert sorted(path.name for path in builds.glob("*.duckdb")) == sorted([first_kept.name, second_kept.name])
    assert _sha(first_kept) == _sha(scenario["published_before_file"])
    for one, other in ((first_kept, site.published), (second_kept, site.published), (first_kept, second_kept)):
        assert not os.path.samefile(one, other)
    assert _query(second_kept, "select count(*) from fact_indicator") == \
        _query(site.published, "select count(*) from fact_indicator")


def test_the_build_s_dbt_starts_while_the_staging_gate_runs_and_is_sent_on(scenario):
    """An incremental night starts its build's dbt process before the staging gate
    (flows.build prestart_dbt_build: Python's and dbt's start overlap the gate); the build sends
    that very process on rather than starting another. A full night starts dbt when it builds
    (it would gain ~1 % and hold the waiting process's memory through the gate). (Moved here from
    test_nightly_load, where it ran two builds of its own: this scenario's nights are the same two
    kinds.)"""
    assert [ahead for ahead, _ in scenario["spawned_second"]] == [True]
    assert scenario["spawned_second"][0][1].returncode == 0
    assert [ahead for ahead, _ in scenario["spawned_full"]] == [False]
    assert scenario["spawned_full"][0][1].returncode == 0


def test_an_incremental_night_leaves_duckdb_s_vacuum_to_every_seventh_night(scenario):
    """The incremental night's dbt runs with DuckDB's max_vacuum_tasks at 0 (flows/load.py
    `vacuums`; profiles/profiles.yml), and the record counts it as the first night without; the
    full rebuild vacuums and starts the count again. (The tables it gives equal the full rebuild's:
    test_an_incremental_build_equals_a_full_rebuild_table_by_table_row_by_row.)"""
    [second_env] = scenario["envs_second"]
    [full_env] = scenario["envs_full"]
    assert second_env["PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS"] == "0"
    assert "PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS" not in full_env
    assert scenario["record_second"]["nights_unvacuumed"] == 1
    assert scenario["record_full"]["nights_unvacuumed"] == 0


def test_an_incremental_build_equals_a_full_rebuild_table_by_table_row_by_row(scenario):
    incremental, full = scenario["site"].published, scenario["rebuilt"].published
    tables = _tables(incremental)
    assert tables == _tables(full)
    assert ("main", "fact_indicator") in tables and ("intermediate", "int_indicator_values_parsed") in tables
    with duckdb.connect(":memory:") as connection:
        connection.execute(f"attach '{incremental}' as incremental (read_only)")
        connection.execute(f"attach '{full}' as rebuilt (read_only)")
        compared = 0
        for schema, table in tables:
            names = _attached_columns(connection, "incremental", schema, table)
            assert names == _attached_columns(connection, "rebuilt", schema, table), table
            columns = ", ".join(f'"{name}"' for name in names)
            counts = connection.execute(f"select (select count(*) from incremental.{schema}.{table}), "
                                        f"(select count(*) from rebuilt.{schema}.{table})").fetchone()
            assert counts[0] == counts[1], f"{schema}.{table}: {counts[0]} rows incremental, {counts[1]} rebuilt"
            differing = connection.execute(
                f"select count(*) from ((select {columns} from incremental.{schema}.{table} "
                f"except all select {columns} from rebuilt.{schema}.{table}) union all "
                f"(select {columns} from rebuilt.{schema}.{table} "
                f"except all select {columns} from incremental.{schema}.{table}))").fetchone()[0]
            assert differing == 0, f"{schema}.{table}: {differing} rows differ"
            compared += counts[0]
    assert compared > 3000


def test_the_changed_value_is_in_the_warehouse(scenario):
    published = scenario["site"].published
    rows = _query(published, "select f.half_year_raw, f.full_year_raw from fact_indicator f "
                             "join dim_document d using (document_key) where d.source_file = ? "
                             "and f.indicator_name like '%稳定运行天数%'", [CHANGED])
    assert rows == [("≥190", "366")]


def test_a_removed_document_is_gone_from_every_table(scenario):
    published = scenario["site"].published
    removed_ids = scenario["removed_doc_ids"]
    assert removed_ids
    with duckdb.connect(str(published), read_only=True) as connection:
        checked = []
        for schema, table in _tables(published):
            columns = set(_attached_columns(connection, None, schema, table))
            if "doc_id" in columns:
                left = connection.execute(f"select count(*) from {schema}.{table} where doc_id in "
                                          f"(select unnest(?))", [removed_ids]).fetchone()[0]
                assert left == 0, f"{schema}.{table} keeps {left} rows of the removed document"
                checked.append(table)
            if "source_file" in columns:
                left = connection.execute(f"select count(*) from {schema}.{table} where source_file = ?",
                                          [REMOVED]).fetchone()[0]
                assert left == 0, f"{schema}.{table} keeps {left} rows of {REMOVED}"
                checked.append(table)
    assert {"stg_perfbudget__documents", "stg_perfbudget__indicators", "int_indicators_classified",
            "int_indicator_values_parsed", "dim_document", "stg_perfbudget__extraction_issues"} <= set(checked)
    # and by document_key: no fact or mart row points at a form that is not in dim_document
    orphans = _query(published, "select count(*) from fact_indicator where document_key not in "
                                "(select document_key from dim_document)")
    assert orphans == [(0,)]
    orphans = _query(published, "select count(*) from fact_budget_line where document_key not in "
                                "(select document_key from dim_document)")
    assert orphans == [(0,)]
    assert json.loads((scenario["site"].warehouse / "published_inputs.json").read_text())["run_id"] \
        == scenario["second"].run.run_id


def _built_nodes(site: Site) -> set[str]:
    """The nodes of the site's last dbt build (its run_results.json)."""
    from flows.layout import WarehouseLayout

    results = WarehouseLayout.at(site.warehouse).dbt_work / "target" / "run_results.json"
    return {item["unique_id"] for item in json.loads(results.read_text(encoding="utf-8"))["results"]}


def test_an_incremental_build_builds_only_what_the_documents_feed(scenario):
    incremental, full = _built_nodes(scenario["site"]), _built_nodes(scenario["rebuilt"])
    seeds = {node for node in full if node.startswith("seed.")}
    assert len(seeds) == len(list((Path(__file__).parents[2] / "seeds").glob("*.csv")))
    # the seeds and the models of seeds alone are the published copy's (flows.build.FROM_DOCUMENTS_ONLY)
    assert not incremental & seeds
    assert "model.perfbudget.int_indicator_taxonomy_variants" in full - incremental
    assert {"model.perfbudget.stg_perfbudget__documents", "model.perfbudget.fact_indicator",
            "model.perfbudget.mart_project_scorecard"} <= incremental
    # and the dbt tests of what it built ran on the incremental tables (and passed: the night published)
    assert "test.perfbudget.unique_fact_indicator_indicator_key" in {node.rsplit(".", 1)[0] for node in incremental}


def test_a_build_in_a_copied_folder_reuses_dbt_s_parse(scenario):
    """The rebuilt site is a copy of the published one in another folder, its DuckDB file and
    staging CSVs elsewhere, built with the lean build's DuckDB settings (memory_limit,
    preserve_insertion_order): dbt still reuses the parse it copied (flows/dbt_launch.py hashes
    the file's name and leaves out the settings that size resources, the staging folder reaches
    DuckDB at run time), parsing nothing again."""
    from flows.layout import WarehouseLayout

    log = (WarehouseLayout.at(scenario["rebuilt"].warehouse).dbt_work / "logs" / "dbt.log").read_text(encoding="utf-8")
    last = log[log.rindex("Running with dbt="):]
    # the file log is at info (flows/build.py FILE_LOG), where a full parse says why it happens
    assert "Found " in last and "Unable to do partial parsing" not in last and "Starting full parse" not in last


def test_an_incremental_night_s_dbt_tests_read_the_changed_forms_rows(scenario, tmp_path):
    """The incremental night's dbt tests of a document-keyed model read the changed forms' rows
    and, for a unique key, every row sharing a key with them (macros/changed_rows_tests.sql): on
    its own warehouse, an old row that breaks a test goes unseen (it passed the night it was
    published), a new one does not, nor a row without a form; the column post-hooks relink in
    unchanged forms' rows is tested on every row."""
    from flows.layout import WarehouseLayout

    site = scenario["site"]
    compiled = (WarehouseLayout.at(site.warehouse).dbt_work / "target" / "run" / "perfbudget" / "models"
                / "marts" / "core" / "_core__models.yml")
    unique_key = (compiled / "unique_fact_indicator_indicator_key.sql").read_text(encoding="utf-8")
    form_not_null = (compiled / "not_null_fact_indicator_document_key.sql").read_text(encoding="utf-8")
    relinked = [path for path in compiled.glob("relationships_fact_indicator_*.sql")
                if "linked_project_key" in path.read_text(encoding="utf-8")]
    assert len(relinked) == 1 and "stg_perfbudget__changed_documents" not in relinked[0].read_text(encoding="utf-8")

    catalog = re.search(r'from "([^"]+)"\."main"\."fact_indicator"', unique_key).group(1)
    database = tmp_path / f"{catalog}.duckdb"  # the compiled SQL names the build file's catalog
    shutil.copyfile(site.published, database)
    with duckdb.connect(str(database)) as connection:
        def failures(sql: str) -> int:
            return connection.execute(sql).fetchone()[0]

        new_form = connection.execute(
            "select document_key from staging.stg_perfbudget__changed_documents where change = 'new' "
            "and document_key in (select document_key from main.fact_indicator) limit 1").fetchone()[0]
        old_key = connection.execute(
            "select min(indicator_key) from main.fact_indicator where document_key not in (select document_key "
            "from staging.stg_perfbudget__changed_documents where document_key is not null)").fetchone()[0]
        assert old_key is not None
        old_row = f"(select * from main.fact_indicator where indicator_key = '{old_key}' limit 1)"
        assert (failures(unique_key), failures(form_not_null)) == (0, 0)
        connection.execute(f"insert into main.fact_indicator select * from {old_row}")  # an old duplicate
        assert failures(unique_key) == 0
        connection.execute(f"insert into main.fact_indicator select * replace (? as document_key) from {old_row}",
                           [new_form])  # a changed form's row with an old key
        assert failures(unique_key) == 1
        connection.execute(f"insert into main.fact_indicator select * replace (null as document_key) from {old_row}")
        assert failures(form_not_null) == 1


def test_an_incremental_night_recomputes_the_scorecard_of_the_changed_forms_units_only(scenario, tmp_path):
    """mart_project_scorecard compares a unit's forms (a project's latest form, its linked 履职
    rows, the unit's printed name), so an incremental night recomputes it by unit: the units of
    the forms it replaced or removed (read from the published build before the delete,
    int_units_of_replaced_forms) and of its new forms. Run on a copy of the night's warehouse,
    the night's compiled scorecard gives exactly the published rows of those units, no other."""
    from flows.layout import WarehouseLayout

    site = scenario["site"]
    units_of = "select distinct unit_key from dim_document where source_file in (?, ?)"
    old_units = {row[0] for row in _query(scenario["published_before_file"], units_of, [CHANGED, REMOVED])}
    assert len(old_units) == 2
    replaced = _query(site.published, "select unit_key from intermediate.int_units_of_replaced_forms")
    assert {row[0] for row in replaced} == old_units

    compiled = (WarehouseLayout.at(site.warehouse).dbt_work / "target" / "compiled" / "perfbudget" / "models"
                / "marts" / "analytics" / "mart_project_scorecard.sql").read_text(encoding="utf-8")
    catalog = re.search(r'from "([^"]+)"\."main"\."dim_project"', compiled).group(1)
    database = tmp_path / f"{catalog}.duckdb"  # the compiled SQL names the build file's catalog
    shutil.copyfile(site.published, database)
    with duckdb.connect(str(database)) as connection:
        recomputed = connection.execute(f"select * from ({compiled}) order by project_key").fetchall()
        published = connection.execute("select * from main.mart_project_scorecard order by project_key").fetchall()
    changed_units = old_units | {row[0] for row in _query(site.published, units_of, [CHANGED, CHANGED])}
    assert {row[0] for row in _query(site.published, "select unit_key from intermediate.int_changed_units")} \
        == changed_units
    assert recomputed and {row[2] for row in recomputed} <= changed_units
    assert recomputed == [row for row in published if row[2] in changed_units]
    assert len(published) > len(recomputed)  # the other units' rows were kept, not recomputed
