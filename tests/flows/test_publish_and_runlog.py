"""flows.publish (atomic publish, kept builds, rollback, lock) and flows.runlog."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from flows import publish as publish_module
from flows import runlog
from flows.layout import WarehouseLayout
from flows.publish import (
    BackgroundCopy,
    LoadInProgress,
    clear_unfinished,
    exclusive_load,
    kept_builds,
    kept_temp,
    publish,
    rollback,
    temp_beside,
)
from flows.runlog import DqResult, RunRecord


def make_build(layout: WarehouseLayout, marker: str) -> None:
    layout.building.unlink(missing_ok=True)
    with duckdb.connect(str(layout.building)) as connection:
        connection.execute("create table marker as select ? as run", [marker])


def marker(path) -> str:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select run from marker").fetchone()[0]


@pytest.fixture
def layout(tmp_path) -> WarehouseLayout:
    layout = WarehouseLayout.at(tmp_path / "warehouse")
    layout.ensure()
    return layout


def test_publish_replaces_and_keeps_the_newest_three_builds(layout):
    for run_id in ("20260101T000000Z-a", "20260102T000000Z-b", "20260103T000000Z-c", "20260104T000000Z-d"):
        make_build(layout, run_id)
        assert publish(layout.building, layout, run_id) == layout.published
        assert marker(layout.published) == run_id
        assert not layout.building.exists()
    assert [p.stem for p in kept_builds(layout)] == ["20260104T000000Z-d", "20260103T000000Z-c",
                                                      "20260102T000000Z-b"]
    assert not list(layout.root.glob(".*.tmp"))
    assert rollback(layout).stem == "20260103T000000Z-c"
    assert marker(layout.published) == "20260103T000000Z-c"
    rollback(layout, "20260104T000000Z-d")
    assert marker(layout.published) == "20260104T000000Z-d"
    with pytest.raises(FileNotFoundError):
        rollback(layout, "20260101T000000Z-a")


def test_the_build_is_published_and_its_copy_made_in_the_background_is_kept(layout, monkeypatch):
    """The build itself is renamed over the published file (DuckDB flushed it when it closed it);
    the copy a thread made of it, not flushed to disk, is kept (flows.publish `publish`)."""
    make_build(layout, "20260101T000000Z-a")
    monkeypatch.setattr(publish_module, "COPY_CHUNK", 4096)  # many steps for a small file
    fsync, flushed = os.fsync, []
    monkeypatch.setattr(publish_module.os, "fsync", lambda fd: flushed.append(os.fstat(fd).st_ino) or fsync(fd))
    build_inode = layout.building.stat().st_ino
    copied = BackgroundCopy(layout.building, kept_temp(layout, "20260101T000000Z-a")).wait()
    assert copied.read_bytes() == layout.building.read_bytes() and copied.parent == layout.builds
    copy_inode = copied.stat().st_ino

    def no_second_copy(*args, **kwargs):
        raise AssertionError("publish copied the build again")

    monkeypatch.setattr(publish_module.shutil, "copyfile", no_second_copy)
    assert publish(layout.building, layout, "20260101T000000Z-a", copied=copied) == layout.published
    assert marker(layout.published) == marker(layout.build_of("20260101T000000Z-a")) == "20260101T000000Z-a"
    assert layout.published.stat().st_ino == build_inode
    assert layout.build_of("20260101T000000Z-a").stat().st_ino == copy_inode
    assert copy_inode not in flushed and build_inode not in flushed  # neither waited for the disk here
    assert not copied.exists() and not layout.building.exists()
    assert oct(layout.published.stat().st_mode & 0o777) == "0o644"
    assert oct(layout.build_of("20260101T000000Z-a").stat().st_mode & 0o777) == "0o644"


def test_a_discarded_copy_stops_and_leaves_no_file(layout, monkeypatch):
    layout.building.write_bytes(os.urandom(1 << 20))
    monkeypatch.setattr(publish_module, "COPY_CHUNK", 1)  # a million steps: stopped long before the end
    copy = BackgroundCopy(layout.building, temp_beside(layout.published))
    copy.discard()
    assert not temp_beside(layout.published).exists()
    with pytest.raises(RuntimeError, match="failed"):
        copy.wait()


def test_a_copy_of_a_missing_build_fails_on_wait(layout):
    copy = BackgroundCopy(layout.building, temp_beside(layout.published))
    with pytest.raises(RuntimeError, match="failed") as failed:
        copy.wait()
    assert isinstance(failed.value.__cause__, FileNotFoundError)
    assert not temp_beside(layout.published).exists()


def test_reader_of_the_old_file_keeps_reading_it_whole(layout, tmp_path):
    make_build(layout, "old")
    publish(layout.building, layout, "20260101T000000Z-a")
    reader = duckdb.connect(str(layout.published), read_only=True)
    make_build(layout, "new")
    publish(layout.building, layout, "20260102T000000Z-b")
    assert reader.execute("select run from marker").fetchone()[0] == "old"
    reader.close()
    assert marker(layout.published) == "new"


def test_clear_unfinished_removes_a_killed_builds_leftovers(layout):
    make_build(layout, "half")
    temp = layout.root / ".perfbudget.duckdb.123.tmp"
    temp.write_bytes(b"partial")
    kept_copy = layout.builds / ".20260101T000000Z-a.duckdb.123.tmp"  # kept_temp of a killed load
    kept_copy.write_bytes(b"partial")
    (layout.builds / "20260101T000000Z-b.duckdb").write_bytes(b"a kept build")
    assert set(clear_unfinished(layout)) == {layout.building, temp, kept_copy}
    assert not layout.building.exists() and not temp.exists() and not kept_copy.exists()
    assert (layout.builds / "20260101T000000Z-b.duckdb").exists()


def test_one_load_at_a_time(layout):
    with exclusive_load(layout), pytest.raises(LoadInProgress), exclusive_load(layout):
        pass
    with exclusive_load(layout):
        pass


def test_run_log_keeps_the_last_state_and_closes_abandoned_runs(layout):
    killed = RunRecord("20260101T000000Z-a", "2026-01-01T00:00:00+00:00")
    runlog.record_run(layout.run_log, killed)
    done = RunRecord("20260102T000000Z-b", "2026-01-02T00:00:00+00:00")
    runlog.record_run(layout.run_log, done)
    done.status, done.ended_at = runlog.SUCCESS, "2026-01-02T00:01:00+00:00"
    runlog.record_run(layout.run_log, done)
    with (layout.run_log / runlog.RUNS_FILE).open("a") as stream:
        stream.write('{"run_id": "cut off')
    assert runlog.close_abandoned(layout.run_log, "20260103T000000Z-c") == ["20260101T000000Z-a"]
    states = {run.run_id: run.status for run in runlog.read_runs(layout.run_log)}
    assert states == {"20260101T000000Z-a": runlog.ABANDONED, "20260102T000000Z-b": runlog.SUCCESS}


def test_write_tables_merges_no_row_groups_of_the_build_s_tables(layout):
    """An incremental night's build leaves DuckDB's row-group merges out (flows/load.py
    `vacuums`); writing the run log into it must not do them when its connection closes (it did:
    19.9 s of a 1 % night at 100 000 forms). Three row groups of 54 000, 27 000 and 54 000 rows,
    which a checkpoint with DuckDB's default would merge into two, stay three."""
    layout.building.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(layout.building), config={"max_vacuum_tasks": 0}) as connection:
        connection.execute("create table facts (a bigint, b varchar)")
        for start, rows in ((0, 60_000), (60_000, 30_000), (90_000, 60_000)):
            connection.execute(f"insert into facts select range + {start}, 'x' || range from range({rows})")
            connection.execute("checkpoint")
        connection.execute("delete from facts where a % 10 = 0")

    def row_groups(database: Path) -> int:
        with duckdb.connect(str(database), read_only=True) as connection:
            return connection.execute("select count(distinct row_group_id) from pragma_storage_info('facts')"
                                      ).fetchone()[0]

    merged = layout.root / "merged.duckdb"
    shutil.copyfile(layout.building, merged)
    with duckdb.connect(str(merged)) as connection:  # DuckDB's default: the closing checkpoint merges
        connection.execute("create table other as select 1 as one")
    assert row_groups(merged) == 2
    runlog.write_tables(layout.building, layout.run_log, [])
    assert row_groups(layout.building) == 3
    with duckdb.connect(str(layout.building), read_only=True) as connection:
        assert connection.execute("select count(*) from facts").fetchone() == (135_000,)


def test_write_tables_copies_the_log_into_a_build(layout):
    failed = RunRecord("20260101T000000Z-a", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:05+00:00",
                       runlog.FAILED, "gate_staging", "staging gate failed", files_seen=5)
    runlog.record_run(layout.run_log, failed)
    runlog.record_checks(layout.run_log, [DqResult(failed.run_id, "staging", "staging.documents", "documents",
                                                   "expect_column_values_to_be_in_set", "doc_type", "fail",
                                                   False, 1, "1 unexpected", "2026-01-01T00:00:04+00:00")])
    current = RunRecord("20260102T000000Z-b", "2026-01-02T00:00:00+00:00", "2026-01-02T00:00:30+00:00",
                        runlog.SUCCESS, rows_fact_indicator=10, seconds=30.5)
    make_build(layout, "x")
    runlog.write_tables(layout.building, layout.run_log, [current])
    with duckdb.connect(str(layout.building), read_only=True) as connection:
        runs = connection.execute("select run_id, status, failed_step, rows_fact_indicator from etl_runs "
                                  "order by run_id").fetchall()
        checks = connection.execute("select stage, check_name, success, failures from dq_results").fetchall()
        latest = connection.execute("select run_id from etl_latest_run").fetchall()
        kinds = dict(connection.execute("select column_name, data_type from information_schema.columns "
                                        "where table_name = 'etl_runs'").fetchall())
        comments = connection.execute("select table_name, column_name, comment from duckdb_columns() "
                                      "where table_name in ('etl_runs', 'dq_results', 'etl_latest_run')").fetchall()
        view_comment = connection.execute("select comment from duckdb_views() where view_name = 'etl_latest_run'"
                                          ).fetchone()
    assert runs == [("20260101T000000Z-a", "failed", "gate_staging", None),
                    ("20260102T000000Z-b", "success", None, 10)]
    assert checks == [("staging", "expect_column_values_to_be_in_set", False, 1)]
    assert latest == [("20260102T000000Z-b",)]
    assert kinds["started_at"] == "TIMESTAMP WITH TIME ZONE" and kinds["files_seen"] == "INTEGER"
    # every column of the three freshness/quality relations says what it holds, 中文 — English
    assert len(comments) == 2 * len(runlog.RUN_COLUMNS) + len(runlog.DQ_COLUMNS)
    assert all(comment and " — " in comment for _, _, comment in comments)
    assert ("etl_latest_run", "status",
            "状态 — running | success | failed | abandoned (killed, closed by a later run) | skipped (nothing changed)"
            ) in comments
    assert ("dq_results", "stage", "阶段 — staging (GE on the staging CSVs) | dbt (dbt tests) | marts (GE on the marts)"
            ) in comments
    assert view_comment == ("最近成功运行 — The last successful run: when the published data last changed",)


def test_rollback_command(layout, capsys):
    """`perfbudget builds` and `perfbudget rollback` (flows/cli.py) over flows.publish."""
    from flows.cli import main

    assert main(["rollback", "--warehouse", str(layout.root)]) == 2
    assert capsys.readouterr().err == "perfbudget rollback: no earlier build to roll back to\n"
    for run_id in ("20260101T000000Z-a", "20260102T000000Z-b"):
        make_build(layout, run_id)
        publish(layout.building, layout, run_id)
    assert main(["builds", "--warehouse", str(layout.root)]) == 0
    assert capsys.readouterr().out.split() == ["20260102T000000Z-b", "20260101T000000Z-a"]
    assert main(["rollback", "--warehouse", str(layout.root)]) == 0
    assert capsys.readouterr().out == f"published 20260101T000000Z-a.duckdb as {layout.published}\n"
    assert marker(layout.published) == "20260101T000000Z-a"


def test_quality_reports_of_the_last_30_runs_are_kept(layout):
    """Each run writes quality/<run_id>/ (a few tens of KB): the newest 30 stay, older ones go."""
    from flows.load import KEEP_QUALITY_RUNS, _prune_quality

    run_ids = [f"202601{day:02d}T020000Z-{day:06x}" for day in range(1, 34)]
    for run_id in run_ids:
        (layout.root / "quality" / run_id / "staging").mkdir(parents=True)
        (layout.root / "quality" / run_id / "index.html").write_text("<html></html>", encoding="utf-8")
    _prune_quality(layout)
    kept = sorted(path.name for path in (layout.root / "quality").iterdir())
    assert KEEP_QUALITY_RUNS == 30 and kept == run_ids[-30:]
