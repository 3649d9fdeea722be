"""The run log: `etl_runs` and `dq_results` of every nightly load, failed runs included.

It lives outside any warehouse file (`<warehouse>/run_log/*.jsonl`, append-only, one JSON
object a line) so a failed or killed build cannot lose it and no reader can lock it. Each
new build gets a copy of the whole log as the tables `etl_runs` and `dq_results` (plus the
view `etl_latest_run`) just before it is published, so BI shows freshness and quality from
the same file it reads the facts from.

`etl_runs.jsonl` holds events: a run is written when it starts (`running`) and again when it
ends (`success` / `failed` / `skipped`); the last event of a run id wins. A `skipped` run found
nothing changed since the published build and left the published file untouched (its
`published_file` names the file it left in place, `message` the run that built it): it is in
the JSONL at once and in the published `etl_runs` from the next publish on; `etl_latest_run`
(the last `success`) keeps saying when the data last changed. A run still `running` when the
next load takes the lock was killed: it is closed as `abandoned`.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

RUNS_FILE = "etl_runs.jsonl"
DQ_FILE = "dq_results.jsonl"
RUNNING, SUCCESS, FAILED, ABANDONED, SKIPPED = "running", "success", "failed", "abandoned", "skipped"


def new_run_id(now: datetime | None = None) -> str:
    """Sortable by time, unique across machines: 20261122T020000Z-1a2b3c."""
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(slots=True)
class RunRecord:
    """One row of `etl_runs`."""

    run_id: str
    started_at: str
    ended_at: str | None = None
    status: str = RUNNING
    failed_step: str | None = None
    message: str | None = None
    inbox: str | None = None
    files_seen: int | None = None
    files_changed: int | None = None
    files_reused: int | None = None
    files_quarantined: int | None = None
    forms: int | None = None
    warnings: int | None = None
    errors: int | None = None
    rows_fact_budget_line: int | None = None
    rows_fact_indicator: int | None = None
    rows_dim_document: int | None = None
    published_file: str | None = None
    build_file: str | None = None
    quality_docs: str | None = None
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class DqResult:
    """One row of `dq_results`: an expectation or a dbt test, with its outcome in one run."""

    run_id: str
    stage: str  # staging | dbt | marts
    suite: str  # GE suite name or dbt unique_id
    table_name: str
    check_name: str
    column_name: str
    status: str  # pass | fail | error | warn | skipped
    success: bool
    failures: int | None
    observed: str
    recorded_at: str


RUN_COLUMNS = {
    "run_id": "varchar", "started_at": "timestamptz", "ended_at": "timestamptz", "status": "varchar",
    "failed_step": "varchar", "message": "varchar", "inbox": "varchar", "files_seen": "integer",
    "files_changed": "integer", "files_reused": "integer", "files_quarantined": "integer",
    "forms": "integer", "warnings": "integer", "errors": "integer", "rows_fact_budget_line": "bigint",
    "rows_fact_indicator": "bigint", "rows_dim_document": "bigint", "published_file": "varchar",
    "build_file": "varchar", "quality_docs": "varchar", "seconds": "double",
}
DQ_COLUMNS = {
    "run_id": "varchar", "stage": "varchar", "suite": "varchar", "table_name": "varchar",
    "check_name": "varchar", "column_name": "varchar", "status": "varchar", "success": "boolean",
    "failures": "bigint", "observed": "varchar", "recorded_at": "timestamptz",
}
assert list(RUN_COLUMNS) == [f.name for f in fields(RunRecord)]
assert list(DQ_COLUMNS) == [f.name for f in fields(DqResult)]


def _append(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
    with path.open("a+b") as stream:
        if stream.tell() > 0:
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) != b"\n":
                text = "\n" + text  # a line cut off by a killed process stays on its own
        stream.write(text.encode("utf-8"))
        stream.flush()
        os.fsync(stream.fileno())


def _read(path: Path) -> list[dict]:
    rows = []
    try:
        with path.open(encoding="utf-8") as stream:
            for line in stream:
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError:
                    continue  # a line cut off by a killed process
    except FileNotFoundError:
        pass
    return rows


def record_run(log_dir: Path, run: RunRecord) -> None:
    _append(log_dir / RUNS_FILE, [asdict(run)])


def record_checks(log_dir: Path, results: list[DqResult]) -> None:
    if results:
        _append(log_dir / DQ_FILE, [asdict(result) for result in results])


def read_runs(log_dir: Path) -> list[RunRecord]:
    """Every run once, in start order, with its latest state."""
    latest: dict[str, dict] = {}
    for row in _read(log_dir / RUNS_FILE):
        latest[row["run_id"]] = row
    known = {f.name for f in fields(RunRecord)}
    runs = [RunRecord(**{k: v for k, v in row.items() if k in known}) for row in latest.values()]
    return sorted(runs, key=lambda run: (run.started_at, run.run_id))


def read_checks(log_dir: Path) -> list[DqResult]:
    known = {f.name for f in fields(DqResult)}
    return [DqResult(**{k: v for k, v in row.items() if k in known}) for row in _read(log_dir / DQ_FILE)]


def close_abandoned(log_dir: Path, current_run_id: str) -> list[str]:
    """Runs left `running` by a killed process become `abandoned`. Call it holding the lock."""
    closed = []
    for run in read_runs(log_dir):
        if run.status == RUNNING and run.run_id != current_run_id:
            run.status = ABANDONED
            run.message = "the load process ended without recording an outcome (killed?)"
            record_run(log_dir, run)
            closed.append(run.run_id)
    return closed


def write_tables(database: Path, log_dir: Path, extra_runs: list[RunRecord] = ()) -> None:
    """Copy the whole run log into a (not yet published) build as `etl_runs`, `dq_results`
    and the view `etl_latest_run`. `extra_runs` override logged states (the run being
    published is written as it will be once published)."""
    import duckdb

    runs = {run.run_id: run for run in read_runs(log_dir)}
    runs.update({run.run_id: run for run in extra_runs})
    run_frame = pd.DataFrame([asdict(run) for run in runs.values()], columns=list(RUN_COLUMNS), dtype=object)
    dq_frame = pd.DataFrame([asdict(check) for check in read_checks(log_dir)], columns=list(DQ_COLUMNS),
                            dtype=object)
    with duckdb.connect(str(database)) as connection:
        for table, columns, frame in (("etl_runs", RUN_COLUMNS, run_frame), ("dq_results", DQ_COLUMNS, dq_frame)):
            connection.register(f"{table}_frame", frame)
            casts = ", ".join(f"cast({name} as {kind}) as {name}" for name, kind in columns.items())
            connection.execute(f"create or replace table main.{table} as "
                               f"select {casts} from {table}_frame order by 1")
            connection.unregister(f"{table}_frame")
        connection.execute("create or replace view main.etl_latest_run as "
                           "select * from main.etl_runs where status = 'success' "
                           "order by ended_at desc limit 1")
        connection.execute("comment on table main.etl_runs is "
                           "'One row per nightly load (failed ones too): when, outcome, files, rows, published file'")
        connection.execute("comment on table main.dq_results is "
                           "'One row per Great Expectations expectation and dbt test per run, with its outcome'")
