"""Run the Great Expectations suites of expectations/suites/ on pandas DataFrames.

Great Expectations 1.x has no DuckDB backend (STACK.md trap 2), so every batch is a
DataFrame: the staging CSVs read as text, or mart tables read through the duckdb Python API
with `read_only=True`. The context is ephemeral (nothing is written to the repo, no `gx/`
folder) with usage statistics off. The results of each run are rendered as one small static
page into a folder the caller names (the flow uses `data/warehouse/quality/<run_id>/<stage>/`;
expectations/report.py: GE's own Data Docs need a CDN to list anything and weigh ~12 MB a run).

A suite is a GX suite JSON (`name`, `expectations` of `type` + `kwargs`) whose
`meta.perfbudget` says what to validate: `{"stage": "staging", "table": "documents"}` reads
`documents.csv`; `{"stage": "marts", "table": "dim_unit"}` reads that table; a `query`
instead of a table validates the result of that SQL (checks across tables). A kwarg written
as `{"$seed": "indicator_taxonomy.csv", "column": "level1_canonical"}` becomes the distinct
non-blank values of that seed column, so value sets have one source of truth: `seeds/`.
"""

from __future__ import annotations

import csv
import gc
import json
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.report import render_stage_page

if TYPE_CHECKING:  # pandas (~54 MB) loads with the first batch: the nightly load imports this module
    import pandas as pd

SUITES_DIR = Path(__file__).resolve().parent / "suites"
REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
# The marts gate's DuckDB reads one group of columns at a time into a DataFrame; reading a whole
# table, its buffer pool only caches blocks beside that frame: at 100 000 forms the gate peaked
# at 1005 MB with 256MB and 907 MB with 64MB, in 18.7 and 13.6 s (one run each, 2026-12-02).
# An incremental night's reads join the changed forms' keys (MartTables._sql), which ran out of
# 64MB at 100 000 forms: they keep 256MB. PERFBUDGET_GATE_DUCKDB_MEMORY_LIMIT sets both.
GATE_DUCKDB_MEMORY_LIMIT = os.environ.get("PERFBUDGET_GATE_DUCKDB_MEMORY_LIMIT")
WHOLE_READS_MEMORY_LIMIT, SCOPED_READS_MEMORY_LIMIT = "64MB", "256MB"
# A validated frame of at least this many rows with a text column, or of at least this many
# bytes of plain values, is collected at once after its batch. The one-column frames of the
# whole-table row counts (1 byte a row) are not: collecting them was 9 collections, 1.7 of the
# marts gate's 10.7 s on a 1 % night at 100 000 forms. Counting every frame by its bytes alone
# left text frames uncollected (pandas counts a text value as its 8-byte pointer), and the full
# night's marts gate grew from 571 to 1 155 MB (2026-12-02).
GC_MIN_ROWS = 100_000
GC_MIN_BYTES = 8 * 1024 * 1024
PLAIN_KINDS = frozenset("biufcmM")  # numpy kinds of booleans, numbers and times; text is "O"
# Those collections scan only the objects a gate makes (`validate` freezes the heap it starts
# with: the library's modules and its context, most of it, gc.freeze): the 6 collections of a 1 %
# night's marts gate at 100 000 forms took 1.1 s, 0.07 s so (2026-12-02).
# A table of at most this many rows is validated in one batch (all its columns, every check):
# each batch costs GX ~0.3 s of set-up, and splitting only pays where the columns are large (at
# 100 000 forms a batch of mart_project_scorecard's 35 columns of 132 793 rows took the marts
# gate's process to 732 MB, at 200 000 rows)
WHOLE_TABLE_MAX_ROWS = int(os.environ.get("PERFBUDGET_GATE_WHOLE_TABLE_MAX_ROWS", "100000"))
# a staging CSV this small has fewer rows than that (the widest staging row is ~200 bytes on average)
WHOLE_CSV_MAX_BYTES = WHOLE_TABLE_MAX_ROWS * 40


class GateFailed(RuntimeError):
    """A quality gate found rows that break a suite; the message names every failed check."""

    def __init__(self, report: GateReport):
        self.report = report
        failures = report.failures
        names = "; ".join(outcome.describe() for outcome in failures[:10])
        more = f" (+{len(failures) - 10} more)" if len(failures) > 10 else ""
        super().__init__(f"{report.stage} gate failed {len(failures)} check(s): {names}{more}")


@dataclass(frozen=True, slots=True)
class Suite:
    name: str
    stage: str
    table: str
    query: str | None
    expectations: list[dict[str, Any]]
    path: Path
    # the column naming a row's form (`document_key`) in a table whose rows are kept form by form:
    # on an incremental night only the changed forms' rows are checked (MartTables)
    changed_only_by: str | None = None


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One expectation's result on one batch: a row of the warehouse's `dq_results`."""

    stage: str
    suite: str
    table: str
    check: str
    column: str
    success: bool
    observed: str
    unexpected_count: int | None

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{self.suite}: {self.check} on {where} ({self.observed})"


@dataclass(slots=True)
class GateReport:
    stage: str
    outcomes: list[CheckOutcome] = field(default_factory=list)
    docs_index: Path | None = None

    @property
    def failures(self) -> list[CheckOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]

    @property
    def success(self) -> bool:
        return not self.failures

    def raise_for_failures(self) -> GateReport:
        if self.failures:
            raise GateFailed(self)
        return self


def _seed_values(reference: dict[str, str], seeds_dir: Path) -> list[str]:
    with (seeds_dir / reference["$seed"]).open(encoding="utf-8", newline="") as stream:
        values = {row[reference["column"]].strip() for row in csv.DictReader(stream)}
    return sorted(value for value in values if value)


def _resolve(value: Any, seeds_dir: Path) -> Any:
    if isinstance(value, dict) and "$seed" in value:
        return _seed_values(value, seeds_dir)
    return value


def load_suites(stage: str, suites_dir: Path = SUITES_DIR, seeds_dir: Path = SEEDS_DIR) -> list[Suite]:
    """The suites of one stage, in file-name order, with seed references resolved."""
    suites = []
    for path in sorted(suites_dir.glob("*.json")):
        payload = json.loads(path.read_text(encoding="utf-8"))
        meta = payload.get("meta", {}).get("perfbudget", {})
        if meta.get("stage") != stage:
            continue
        expectations = [
            {"type": item["type"],
             "kwargs": {key: _resolve(value, seeds_dir) for key, value in item.get("kwargs", {}).items()},
             "meta": item.get("meta", {})}
            for item in payload["expectations"]
        ]
        suites.append(Suite(payload["name"], stage, meta["table"], meta.get("query"), expectations, path,
                            meta.get("changed_only_by")))
    return suites


# Expectations that look at a table's column names only: they get every column and no rows.
SHAPE_EXPECTATIONS = frozenset({"expect_table_columns_to_match_set", "expect_table_columns_to_match_ordered_list"})
# Expectations on the number of rows: on an incremental night they still count the whole table
ROW_COUNT_EXPECTATIONS = frozenset({"expect_table_row_count_to_be_between", "expect_table_row_count_to_equal"})
UNIQUE_EXPECTATIONS = frozenset({"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"})
# A mart table of more rows than this is read in parts of about this many rows for its
# value checks (MartTables `parts`): a text column of fact_indicator's 2.7 million rows at
# 100 000 forms is a 231 MB DataFrame, and with it the marts gate's process peaked at 0.9 GB.
PART_MAX_ROWS = int(os.environ.get("PERFBUDGET_GATE_PART_MAX_ROWS", "1000000"))
# the checks that look at each value alone, or at which values repeat: their results on the
# parts of a table add up to the result on the whole (a duplicate's rows share one part)
VALUE_EXPECTATIONS = frozenset({"expect_column_values_to_not_be_null", "expect_column_values_to_be_in_set",
                                "expect_column_values_to_be_between", *UNIQUE_EXPECTATIONS})
# the forms whose rows an incremental build replaced (models/staging/stg_perfbudget__changed_documents.sql)
CHANGES_TABLE = "staging.stg_perfbudget__changed_documents"


class StagingCsvs:
    """Staging CSVs as text: blank cells become nulls, everything else stays as printed."""

    def __init__(self, staging_dir: Path):
        self.staging_dir = staging_dir

    def _read(self, suite: Suite, **options: Any) -> pd.DataFrame:
        import pandas as pd

        return pd.read_csv(self.staging_dir / f"{suite.table}.csv", dtype=str, keep_default_na=False,
                           na_values=[""], encoding="utf-8", **options)

    def header(self, suite: Suite) -> list[str] | str:
        try:
            return list(self._read(suite, nrows=0).columns)
        except (OSError, ValueError) as err:
            return f"{type(err).__name__}: {err}"

    def read(self, suite: Suite, columns: list[str], whole_table: bool = False,
             part: Part | None = None) -> pd.DataFrame | str:
        """The columns of the whole CSV (a staging night lands only what changed: no part to skip)."""
        try:
            return self._read(suite, usecols=columns)
        except (OSError, ValueError) as err:
            return f"{type(err).__name__}: {err}"

    def is_small(self, suite: Suite) -> bool:
        """Small enough to validate in one batch (an incremental night's CSVs always are)."""
        try:
            return (self.staging_dir / f"{suite.table}.csv").stat().st_size <= WHOLE_CSV_MAX_BYTES
        except OSError:
            return False

    def counts_apart(self, suite: Suite) -> bool:
        return False

    def parts(self, suite: Suite, batch: Batch) -> list[Part | None]:
        """A CSV is read whole: cutting it into parts would read all of it for each."""
        return [None]

    def close(self) -> None:
        """Nothing stays open between reads of a CSV."""


class MartTables:
    """Mart tables (or a suite's query) read from the DuckDB file through one read-only
    connection, opened on first use and closed by `close`.

    `changed_only` (an incremental night: flows/delta.py): a suite whose table is kept form by
    form (`changed_only_by`, its rows deleted and appended per changed form) reads only the rows
    that can have changed since the last gate passed on the published file they were copied
    from: the changed forms' rows and the rows without a form, plus, for each column a
    uniqueness check names, every row sharing a value with those (a duplicate needs a new row).
    Its row-count checks still count the whole table (`whole_table` batches). At 100 000 forms
    fact_indicator and fact_budget_line took 16 of the marts gate's 26 s."""

    def __init__(self, database: Path, changed_only: bool = False):
        self.database = database
        self.changed_only = changed_only
        self._connection = None
        self._rows: dict[str, int | None] = {}

    def _scoped(self, suite: Suite) -> bool:
        return self.changed_only and suite.changed_only_by is not None and not suite.query

    def _sql(self, suite: Suite, whole_table: bool = False) -> str:
        if suite.query:
            return f"({suite.query})"
        table = f'"{suite.table}"'
        if whole_table or not self._scoped(suite):
            return table
        form = f'"{suite.changed_only_by}"'
        changed = f"{form} in (select {form} from {CHANGES_TABLE} where {form} is not null)"
        keep = [f"{form} is null", changed]
        for column in dict.fromkeys(column for item in suite.expectations if item["type"] in UNIQUE_EXPECTATIONS
                                    for column in _named_columns(item)):
            keep.append(f'"{column}" in (select "{column}" from {table} where {changed})')
        return f"(select * from {table} where {' or '.join(keep)})"

    def _execute(self, sql: str):
        import duckdb

        if not self.database.exists():
            raise FileNotFoundError(f"database {self.database} does not exist")
        if self._connection is None:
            # DuckDB's default memory_limit is 80% of RAM: scanning a large fact table would keep
            # its blocks cached in this process beside the DataFrame built from them
            limit = GATE_DUCKDB_MEMORY_LIMIT or (SCOPED_READS_MEMORY_LIMIT if self.changed_only
                                                 else WHOLE_READS_MEMORY_LIMIT)
            self._connection = duckdb.connect(str(self.database), read_only=True, config={"memory_limit": limit})
        try:
            return self._connection.execute(sql)
        except duckdb.Error as err:
            raise LookupError(f"{type(err).__name__}: {err}".splitlines()[0]) from err

    def header(self, suite: Suite) -> list[str] | str:
        try:
            sql = f"select * from {self._sql(suite, whole_table=True)} limit 0"
            return [column[0] for column in self._execute(sql).description]
        except (FileNotFoundError, LookupError) as err:
            return str(err)

    def _row_count(self, suite: Suite) -> int | None:
        """The rows the suite's checks read (None: the table cannot be read)."""
        if suite.name not in self._rows:
            try:
                sql = f"select count(*) from {self._sql(suite)} as batch"
                self._rows[suite.name] = self._execute(sql).fetchone()[0]
            except (FileNotFoundError, LookupError):
                self._rows[suite.name] = None
        return self._rows[suite.name]

    def is_small(self, suite: Suite) -> bool:
        """Small enough to validate in one batch."""
        rows = self._row_count(suite)
        return rows is not None and rows <= WHOLE_TABLE_MAX_ROWS

    def counts_apart(self, suite: Suite) -> bool:
        """Whether the suite's row counts need a batch of their own (its other checks read part
        of it: an incremental night's rows, or the parts of a large table)."""
        return self._scoped(suite) or (self._row_count(suite) or 0) > PART_MAX_ROWS

    def parts(self, suite: Suite, batch: Batch) -> list[Part | None]:
        """The parts a batch of a large table is read in: rows cut by the hash of the columns
        every uniqueness check of the batch names (so a duplicate's rows share a part); a batch
        without one is cut by the table's key (the columns of the suite's first uniqueness
        check: evenly, where a column such as level1 holds a few values). One read when the
        table is small or a check of the batch needs every row at once."""
        rows = self._row_count(suite) or 0
        if rows <= PART_MAX_ROWS or not batch.columns or any(
                item["type"] not in VALUE_EXPECTATIONS for item in batch.expectations):
            return [None]
        keys = [set(_named_columns(item)) for item in batch.expectations if item["type"] in UNIQUE_EXPECTATIONS]
        if keys:
            by = [column for column in batch.columns if all(column in named for named in keys)]
        else:
            header = self.header(suite)
            table_key = next((_named_columns(item) for item in suite.expectations
                              if item["type"] in UNIQUE_EXPECTATIONS), [])
            by = table_key if table_key and all(column in header for column in table_key) else batch.columns
        if not by:
            return [None]
        count = -(-rows // PART_MAX_ROWS)
        return [Part(index, count, tuple(by)) for index in range(count)]

    def read(self, suite: Suite, columns: list[str], whole_table: bool = False,
             part: Part | None = None) -> pd.DataFrame | str:
        """The columns of the suite's rows (`whole_table`: of every row; no columns: one constant
        column, enough to count the rows; `part`: of that part's rows only)."""
        selected = ", ".join(f'"{column}"' for column in columns) or 'true as "row"'
        where = f" where {part.condition()}" if part is not None else ""
        try:
            return self._execute(f"select {selected} from {self._sql(suite, whole_table)} as batch{where}").df()
        except (FileNotFoundError, LookupError) as err:
            return str(err)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


FrameSource = StagingCsvs | MartTables


@dataclass(frozen=True, slots=True)
class Batch:
    """A part of a suite validated on one DataFrame: the expectations and the columns they read
    (`None`: every column, zero rows — the column-name checks)."""

    name: str
    expectations: list[dict[str, Any]]
    columns: list[str] | None
    whole_table: bool = False


@dataclass(frozen=True, slots=True)
class Part:
    """Part `index` of `count` of a table's rows: those whose `by` columns hash to it."""

    index: int
    count: int
    by: tuple[str, ...]

    def condition(self) -> str:
        columns = ", ".join(f'"{column}"' for column in self.by)
        return f"hash({columns}) % {self.count} = {self.index}"


def _named_columns(expectation: dict[str, Any]) -> list[str]:
    kwargs = expectation["kwargs"]
    named = [kwargs["column"]] if kwargs.get("column") else []
    return named + list(kwargs.get("column_list") or [])


def split_suite(suite: Suite, header: list[str], whole: bool = False, counts_apart: bool = False) -> list[Batch]:
    """Split a suite so that no check reads more than it needs, and a table's columns are read
    one group at a time: the column-name checks see the header without rows; the other checks
    are grouped by the columns they name (in table order; a named column the table lacks stays
    out and its check fails as missing; a group within a wider one joins it), one frame per
    group. A row-count check needs rows, not
    values: it joins the first group (or reads the table's first column alone). A fact table
    of millions of rows then costs the memory of one key column at a time, not of every column.
    A `whole` (small) table is one batch of every column and every check: each batch costs GX
    a fixed set-up, which dominates on small tables such as an incremental night's staging.
    `counts_apart`: the row counts are one batch of their own over the whole table, which reads
    no column (MartTables on an incremental night reads only part of the table for the rest)."""
    counts = [item for item in suite.expectations if counts_apart and item["type"] in ROW_COUNT_EXPECTATIONS]
    counted = [Batch(f"{suite.name} (rows)", counts, [], whole_table=True)] if counts else []
    if counts:
        suite = replace(suite, expectations=[item for item in suite.expectations if item not in counts])
    if whole:
        return [*counted, Batch(suite.name, list(suite.expectations), list(header))]
    shape = [item for item in suite.expectations if item["type"] in SHAPE_EXPECTATIONS]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    unnamed = []
    for item in suite.expectations:
        if item["type"] in SHAPE_EXPECTATIONS:
            continue
        named = set(_named_columns(item))
        columns = tuple(column for column in header if column in named)
        if columns:
            groups.setdefault(columns, []).append(item)
        else:
            unnamed.append(item)
    for columns in sorted(groups, key=len):  # a group inside a wider one joins it: one read, not two
        wider = next((other for other in groups if other != columns and set(columns) < set(other)), None)
        if wider is not None:
            groups[wider] = groups.pop(columns) + groups[wider]
    if unnamed:
        first = next(iter(groups), tuple(header[:1]))
        groups[first] = groups.get(first, []) + unnamed
    batches = [*counted, Batch(f"{suite.name} (columns)", shape, None)] if shape else counted
    for columns, expectations in groups.items():
        name = suite.name if len(groups) == 1 else f"{suite.name} [{', '.join(columns)}]"
        batches.append(Batch(name, expectations, list(columns)))
    return batches


_PRELOAD: threading.Thread | None = None


def import_library() -> None:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations  # noqa: F401


def preload_library() -> None:
    """Import Great Expectations (~4.5 s of a gate's start) in a background thread: the nightly
    load starts it before extracting, while the process pool's workers do the work, so the
    staging gate finds it loaded. `_context` waits for it rather than importing beside it.
    While it runs the load has two threads, so the extraction pool spawns its workers rather
    than forking them (flows/pool.py forks a single-threaded process only: a fork would copy
    this thread's import locks held)."""
    global _PRELOAD
    if _PRELOAD is None and "great_expectations" not in sys.modules:
        _PRELOAD = threading.Thread(target=import_library, name="preload-great-expectations", daemon=True)
        _PRELOAD.start()


def _context():
    if _PRELOAD is not None:
        _PRELOAD.join()
    import_library()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    # GX fingerprints each pandas batch (pandas_data_fingerprint, a batch marker nothing here
    # reads) when its *shallow* size is under HASH_THRESHOLD, which a text column always is:
    # hashing every string of fact_indicator's key columns took 14 of the marts gate's 39 s at
    # 100 000 forms. No batch is fingerprinted.
    from great_expectations.execution_engine import pandas_execution_engine

    pandas_execution_engine.HASH_THRESHOLD = 0
    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    # An ephemeral context "saves" its project config, every data source in it serialized, into
    # an in-memory store that nothing reads back, at each data source added, changed or deleted:
    # four times a batch (`_validated`), ~7 s of the test suite's CPU (py-spy --gil). Not here.
    context._save_project_config = _unsaved
    return gx, context


def _unsaved() -> None:
    """The ephemeral context's config save: nothing to do (`_context`)."""


def _unexpected(count: int | None, sample: list) -> str:
    text = f"{count} unexpected" if count is not None else "no result"
    if sample:
        text += f", e.g. {sample[:3]}"
    return text


def _observed(result: dict[str, Any]) -> tuple[str, int | None]:
    if "observed_value" in result:
        return f"observed {result['observed_value']}", None
    count = result.get("unexpected_count")
    return _unexpected(count, result.get("partial_unexpected_list") or []), count


def _outcomes(stage: str, suite: Suite, run: Any) -> Iterator[tuple[CheckOutcome, list]]:
    """Each check's outcome, and the sample of the values it did not expect."""
    for validation_result in run.run_results.values():
        for result in validation_result.results:
            config = result.expectation_config
            observed, count = _observed(result.result or {})
            if result.exception_info and result.exception_info.get("raised_exception"):
                observed = f"error: {result.exception_info.get('exception_message')}"
            kwargs = config.kwargs
            column = kwargs.get("column") or ",".join(kwargs.get("column_list") or [])
            yield (CheckOutcome(stage, suite.name, suite.table, config.type, column, bool(result.success),
                                observed, count), (result.result or {}).get("partial_unexpected_list") or [])


def combined(parts: list[list[tuple[CheckOutcome, list]]]) -> list[CheckOutcome]:
    """One outcome per check from its outcomes on the parts of a table (MartTables `parts`):
    passed when it passed on every part, its unexpected values counted over all of them."""
    if len(parts) == 1:
        return [outcome for outcome, _ in parts[0]]
    outcomes = []
    for results in zip(*parts, strict=True):
        first = results[0][0]
        assert all((outcome.check, outcome.column) == (first.check, first.column) for outcome, _ in results)
        errors = [outcome.observed for outcome, _ in results if outcome.observed.startswith("error:")]
        counts = [outcome.unexpected_count for outcome, _ in results]
        total = None if None in counts else sum(counts)
        sample = [value for _, values in results for value in values]
        outcomes.append(replace(first, success=all(outcome.success for outcome, _ in results),
                                observed=errors[0] if errors else _unexpected(total, sample),
                                unexpected_count=total))
    return outcomes


def worth_collecting(frame: pd.DataFrame) -> bool:
    """Whether a validated frame is large enough to collect the garbage for at once (GC_MIN_ROWS)."""
    if len(frame) >= GC_MIN_ROWS and any(dtype.kind not in PLAIN_KINDS for dtype in frame.dtypes):
        return True
    return int(frame.memory_usage(index=True, deep=False).sum()) >= GC_MIN_BYTES


def _validated(gx: Any, context: Any, stage: str, suite: Suite, expectations: list[dict[str, Any]], name: str,
               frame: pd.DataFrame) -> list[tuple[CheckOutcome, list]]:
    """The outcomes of `expectations` on one frame."""
    from great_expectations.core.expectation_suite import ExpectationSuite

    gx_suite = context.suites.add(ExpectationSuite(name=name, expectations=expectations))
    data_source = context.data_sources.add_pandas(f"{stage}: {name}")
    definition = data_source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
    validation = context.validation_definitions.add(gx.ValidationDefinition(name=name, data=definition,
                                                                            suite=gx_suite))
    checkpoint = context.checkpoints.add(gx.Checkpoint(name=f"{stage}:{name}", validation_definitions=[validation],
                                                       actions=[]))
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    outcomes = list(_outcomes(stage, suite, run))
    # a data source's execution engine caches every batch it loaded, for as long as the context
    # lives (GX keeps the last context globally): one data source per batch, dropped after its
    # run, so that one frame is in memory at a time
    context.data_sources.delete(data_source.name)
    large = worth_collecting(frame)
    del frame, run, data_source, definition
    if large:  # GX's objects form reference cycles; a full collection costs ~0.1 s
        gc.collect()
    return outcomes


def validate(stage: str, source: FrameSource, suites: list[Suite], docs_dir: Path | None = None) -> GateReport:
    """Validate each suite on frames read from `source`, one batch at a time (read, validate,
    drop: the gate holds one table's checked columns in memory, never every table); returns
    every expectation's outcome (never raises on failed expectations:
    `GateReport.raise_for_failures` is the gate)."""
    gx, context = _context()
    import pandas as pd

    report = GateReport(stage)
    gc.freeze()  # until the gate ends: see GC_MIN_ROWS
    try:
        for suite in suites:
            header = source.header(suite)
            if isinstance(header, str):
                report.outcomes.append(CheckOutcome(stage, suite.name, suite.table, "table_is_readable", "",
                                                    False, header, None))
                continue
            batches = split_suite(suite, header, whole=source.is_small(suite), counts_apart=source.counts_apart(suite))
            for batch in batches:
                parts = source.parts(suite, batch) if batch.columns is not None else [None]
                results, unreadable = [], None
                for part in parts:
                    frame = pd.DataFrame(columns=header) if batch.columns is None else \
                        source.read(suite, batch.columns, batch.whole_table, part)
                    if isinstance(frame, str):
                        unreadable = frame
                        break
                    name = batch.name if part is None else f"{batch.name} (part {part.index + 1} of {part.count})"
                    results.append(_validated(gx, context, stage, suite, batch.expectations, name, frame))
                    frame = None  # dropped before the next part is read
                if unreadable is not None:
                    report.outcomes.append(CheckOutcome(stage, suite.name, suite.table, "table_is_readable", "",
                                                        False, unreadable, None))
                    break
                report.outcomes.extend(combined(results))
    finally:
        gc.unfreeze()  # what the gate started with is collected as usual again
        source.close()
    if docs_dir is not None:
        report.docs_index = render_stage_page(stage, report.outcomes, docs_dir)
    return report


def validate_staging(staging_dir: Path, docs_dir: Path | None = None) -> GateReport:
    suites = load_suites("staging")
    return validate("staging", StagingCsvs(staging_dir), suites, docs_dir)


def validate_marts(database: Path, docs_dir: Path | None = None, changed_only: bool = False) -> GateReport:
    """`changed_only`: the build is incremental (MartTables says what is then read)."""
    suites = load_suites("marts")
    return validate("marts", MartTables(database, changed_only), suites, docs_dir)


def gate_staging(staging_dir: Path, docs_dir: Path | None = None) -> GateReport:
    """The contract gate before load: raises `GateFailed` naming the failed checks."""
    return validate_staging(staging_dir, docs_dir).raise_for_failures()


def gate_marts(database: Path, docs_dir: Path | None = None, changed_only: bool = False) -> GateReport:
    """The gate after `dbt build`: raises `GateFailed` naming the failed checks."""
    return validate_marts(database, docs_dir, changed_only).raise_for_failures()
