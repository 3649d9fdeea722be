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

The log heals: a line that is not a run or a check (a line cut off by a killed process,
bytes that are not UTF-8, JSON that is not an object, an object without `run_id` or with a
value of the wrong type) is skipped with a `RunLogWarning` naming the file and the line,
never an exception: a damaged log never fails a load.
"""

from __future__ import annotations

import json
import os
import re
import uuid
import warnings
from collections.abc import Callable, Iterator
from dataclasses import MISSING, asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path

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
# Column comments (中文 — English) the published tables carry, so a BI tool or `describe`
# explains each column without this file at hand.
RUN_COMMENTS = {
    "run_id": "运行标识 — Run id: UTC start time and a random suffix (20261122T020000Z-1a2b3c)",
    "started_at": "开始时间 — When the run started (UTC)",
    "ended_at": "结束时间 — When the run ended (UTC); null while running",
    "status": ("状态 — running | success | failed | abandoned (killed, closed by a later run) | "
               "skipped (nothing changed)"),
    "failed_step": ("失败步骤 — The step a failed run stopped in (extract_changed, gate_staging, dbt_build, "
                    "gate_marts, publish …)"),
    "message": "信息 — The error of a failed run, or why a run was skipped",
    "inbox": "收件目录 — The inbox folder the run loaded",
    "files_seen": "文件数 — Files in the inbox",
    "files_changed": "变更文件数 — Files new or changed since the last run, extracted anew",
    "files_reused": "复用文件数 — Files whose rows came from the extraction cache",
    "files_quarantined": "隔离文件数 — Files quarantined with an error (see extraction_issues)",
    "forms": "表单数 — Forms (documents) extracted",
    "warnings": "警告数 — Extraction warnings",
    "errors": "错误数 — Extraction errors",
    "rows_fact_budget_line": "资金事实行数 — Rows of fact_budget_line in the build",
    "rows_fact_indicator": "指标事实行数 — Rows of fact_indicator in the build",
    "rows_dim_document": "表单维度行数 — Rows of dim_document in the build",
    "published_file": "发布文件 — The warehouse file the run published (or left untouched)",
    "build_file": "构建文件 — The kept build of this run (for rollback)",
    "quality_docs": "质量报告 — Folder of the run's data-quality report",
    "seconds": "耗时（秒） — Wall time of the run in seconds",
}
DQ_COMMENTS = {
    "run_id": "运行标识 — The run the check belongs to (etl_runs.run_id)",
    "stage": "阶段 — staging (GE on the staging CSVs) | dbt (dbt tests) | marts (GE on the marts)",
    "suite": "套件 — Great Expectations suite name or dbt test unique_id",
    "table_name": "表名 — Table checked",
    "check_name": "检查名 — Expectation type or dbt test name",
    "column_name": "列名 — Column checked (blank for table-level checks)",
    "status": "状态 — pass | fail | error | warn | skipped",
    "success": "是否通过 — True when the check passed",
    "failures": "失败行数 — Rows that failed the check",
    "observed": "观测值 — What the check observed, or dbt's message",
    "recorded_at": "记录时间 — When the outcome was recorded (UTC)",
}
assert list(RUN_COMMENTS) == list(RUN_COLUMNS) and list(DQ_COMMENTS) == list(DQ_COLUMNS)
assert list(RUN_COLUMNS) == [f.name for f in fields(RunRecord)]
assert list(DQ_COLUMNS) == [f.name for f in fields(DqResult)]


def append_jsonl(path: Path, rows: list[dict]) -> None:
    """Append JSON lines, flushed to disk; a line a killed writer cut off stays on its own line."""
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


class RunLogWarning(UserWarning):
    """A line of a run-log JSONL file was skipped (named with its file and line number)."""


MAX_LINE_WARNINGS = 20  # per file read; the rest are counted in one last warning
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?")
_JSON_TYPES = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number",
               bool: "a boolean", type(None): "null"}
_EXPECTED = {"varchar": (str,), "timestamptz": (str,), "integer": (int,), "bigint": (int,),
             "double": (int, float), "boolean": (bool,)}
_INTEGER_RANGE = {"integer": 2**31, "bigint": 2**63}
_EXPECTED_NAMES = {"varchar": "a string", "timestamptz": "an ISO 8601 timestamp string", "integer": "an integer",
                   "bigint": "an integer", "double": "a number", "boolean": "true or false"}


def _json_type(value: object) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


def _value_problem(name: str, value: object, kind: str) -> str | None:
    """Why `value` cannot be column `name` of type `kind` (None: it can; null is checked apart)."""
    expected = _EXPECTED[kind]
    if isinstance(value, bool) and bool not in expected or not isinstance(value, expected):
        return f"{name} is {_json_type(value)} where {_EXPECTED_NAMES[kind]} was expected"
    if kind in _INTEGER_RANGE and not -_INTEGER_RANGE[kind] <= value < _INTEGER_RANGE[kind]:
        return f"{name} {value} is out of range"
    if kind == "timestamptz":
        try:
            valid = bool(_TIMESTAMP.fullmatch(value)) and datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            valid = False
        if not valid:
            return f"{name} {value!r} is not an ISO 8601 timestamp"
    return None


def row_checker(record_type: type, column_types: dict[str, str],
                not_null: frozenset[str] = frozenset()) -> Callable[[dict], str | None]:
    """A check of one JSONL object against `record_type`: why it is not a row (None: it is).
    Fields without a default must be there; `not_null` ones (and `run_id`) not null."""
    required = [f.name for f in fields(record_type) if f.default is MISSING and f.default_factory is MISSING]
    not_null = not_null | {"run_id"}

    def problem(row: dict) -> str | None:
        for name in required:
            if name not in row:
                return f"no {name}"
        for name, kind in column_types.items():
            value = row.get(name)
            if value is None:
                if name in row and name in not_null:
                    return f"{name} is null"
                continue
            found = _value_problem(name, value, kind)
            if found:
                return found
        if row["run_id"] == "":
            return "run_id is empty"
        return None

    return problem


def read_jsonl(path: Path, problem: Callable[[dict], str | None] = lambda row: None) -> Iterator[dict]:
    """The objects of a JSONL file, in order. A line that is not UTF-8, not JSON, not an
    object, or that `problem` finds fault with is skipped with a `RunLogWarning` naming the
    file and the line (at most MAX_LINE_WARNINGS of them, then one count); blank lines are
    skipped silently. A missing file has no objects. Never raises for the file's content."""
    skipped = 0
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        return
    with stream:
        for number, raw in enumerate(stream, start=1):
            if not raw.strip():
                continue
            reason = None
            try:
                row = json.loads(raw.decode("utf-8").rstrip("\r\n"))
            except UnicodeDecodeError as err:
                reason = f"not UTF-8 text (byte 0x{raw[err.start]:02x} at offset {err.start})"
            except ValueError as err:  # json.JSONDecodeError, or a number too long to convert
                where = f", column {err.colno}" if isinstance(err, json.JSONDecodeError) else ""
                reason = f"not valid JSON ({getattr(err, 'msg', err)}{where})"
            else:
                reason = problem(row) if isinstance(row, dict) else f"{_json_type(row)}, not an object"
            if reason is None:
                yield row
                continue
            skipped += 1
            if skipped <= MAX_LINE_WARNINGS:
                warnings.warn(f"{path} line {number} skipped: {reason}", RunLogWarning, stacklevel=2)
    if skipped > MAX_LINE_WARNINGS:
        warnings.warn(f"{path}: {skipped - MAX_LINE_WARNINGS} more damaged line(s) skipped", RunLogWarning,
                      stacklevel=2)


def _read(path: Path, problem: Callable[[dict], str | None]) -> list[dict]:
    return list(read_jsonl(path, problem))


_run_problem = row_checker(RunRecord, RUN_COLUMNS, frozenset({"started_at", "status"}))
_dq_problem = row_checker(DqResult, DQ_COLUMNS)


def record_run(log_dir: Path, run: RunRecord) -> None:
    append_jsonl(log_dir / RUNS_FILE, [asdict(run)])


def record_checks(log_dir: Path, results: list[DqResult]) -> None:
    if results:
        append_jsonl(log_dir / DQ_FILE, [asdict(result) for result in results])


def read_runs(log_dir: Path) -> list[RunRecord]:
    """Every run once, in start order, with its latest state (damaged lines skipped)."""
    latest: dict[str, dict] = {}
    for row in _read(log_dir / RUNS_FILE, _run_problem):
        latest[row["run_id"]] = row
    known = {f.name for f in fields(RunRecord)}
    runs = [RunRecord(**{k: v for k, v in row.items() if k in known}) for row in latest.values()]
    return sorted(runs, key=lambda run: (run.started_at, run.run_id))


def read_checks(log_dir: Path) -> list[DqResult]:
    known = {f.name for f in fields(DqResult)}
    return [DqResult(**{k: v for k, v in row.items() if k in known}) for row in _read(log_dir / DQ_FILE, _dq_problem)]


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
    import pandas as pd

    runs = {run.run_id: run for run in read_runs(log_dir)}
    runs.update({run.run_id: run for run in extra_runs})
    run_frame = pd.DataFrame([asdict(run) for run in runs.values()], columns=list(RUN_COLUMNS), dtype=object)
    dq_frame = pd.DataFrame([asdict(check) for check in read_checks(log_dir)], columns=list(DQ_COLUMNS),
                            dtype=object)
    # the checkpoint when this closes writes these tables and merges no row groups of the others:
    # the build's own checkpoint did that or left it out on purpose (flows/load.py `vacuums`).
    # With DuckDB's default it merged what an incremental night's build had left: 19.9 s for the
    # build and its kept copy on a 1 % night at 100 000 forms (2026-12-02 bench); 2.1 s before the
    # builds left the merges out
    with duckdb.connect(str(database), config={"max_vacuum_tasks": 0}) as connection:
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
        connection.execute("comment on view main.etl_latest_run is "
                           "'最近成功运行 — The last successful run: when the published data last changed'")
        for table, comments in (("etl_runs", RUN_COMMENTS), ("etl_latest_run", RUN_COMMENTS),
                                ("dq_results", DQ_COMMENTS)):
            for column, comment in comments.items():
                text = comment.replace("'", "''")
                connection.execute(f"comment on column main.{table}.{column} is '{text}'")
