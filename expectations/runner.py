"""Run the Great Expectations suites of expectations/suites/ on pandas DataFrames.

Great Expectations 1.x has no DuckDB backend (STACK.md trap 2), so every batch is a
DataFrame: the staging CSVs read as text, or mart tables read through the duckdb Python API
with `read_only=True`. The context is ephemeral (nothing is written to the repo, no `gx/`
folder) with usage statistics off; Data Docs of each run are rendered into a folder the
caller names (the flow uses `data/warehouse/quality/<run_id>/<stage>/`).

A suite is a GX suite JSON (`name`, `expectations` of `type` + `kwargs`) whose
`meta.perfbudget` says what to validate: `{"stage": "staging", "table": "documents"}` reads
`documents.csv`; `{"stage": "marts", "table": "dim_unit"}` reads that table; a `query`
instead of a table validates the result of that SQL (checks across tables). A kwarg written
as `{"$seed": "indicator_taxonomy.csv", "column": "level1_canonical"}` becomes the distinct
non-blank values of that seed column, so value sets have one source of truth: `seeds/`.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

SUITES_DIR = Path(__file__).resolve().parent / "suites"
REPO_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = REPO_ROOT / "seeds"
STAGES = ("staging", "marts")


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
        suites.append(Suite(payload["name"], stage, meta["table"], meta.get("query"), expectations, path))
    return suites


def read_staging_frames(staging_dir: Path, suites: Iterable[Suite]) -> dict[str, pd.DataFrame | str]:
    """Staging CSVs as text: blank cells become nulls, everything else stays as printed.
    A CSV that cannot be read maps to the reason, which the gate reports as a failed check."""
    frames: dict[str, pd.DataFrame | str] = {}
    for suite in suites:
        try:
            frames[suite.name] = pd.read_csv(staging_dir / f"{suite.table}.csv", dtype=str,
                                             keep_default_na=False, na_values=[""], encoding="utf-8")
        except (OSError, ValueError) as err:
            frames[suite.name] = f"{type(err).__name__}: {err}"
    return frames


def read_mart_frames(database: Path, suites: Iterable[Suite]) -> dict[str, pd.DataFrame | str]:
    """Mart tables (or a suite's query) read from the DuckDB file, read-only, then closed.
    A table or query that cannot be read maps to the reason (a failed check)."""
    import duckdb

    frames: dict[str, pd.DataFrame | str] = {}
    if not database.exists():
        return {suite.name: f"database {database} does not exist" for suite in suites}
    with duckdb.connect(str(database), read_only=True) as connection:
        for suite in suites:
            sql = suite.query or f'select * from "{suite.table}"'
            try:
                frames[suite.name] = connection.execute(sql).df()
            except duckdb.Error as err:
                frames[suite.name] = f"{type(err).__name__}: {err}".splitlines()[0]
    return frames


def _context(docs_dir: Path | None):
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    if docs_dir is not None:
        context.add_data_docs_site("perfbudget", {
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(docs_dir)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return gx, context


def _observed(result: dict[str, Any]) -> tuple[str, int | None]:
    if "observed_value" in result:
        return f"observed {result['observed_value']}", None
    count = result.get("unexpected_count")
    sample = result.get("partial_unexpected_list") or []
    text = f"{count} unexpected" if count is not None else "no result"
    if sample:
        text += f", e.g. {sample[:3]}"
    return text, count


def validate(stage: str, frames: dict[str, pd.DataFrame | str], suites: list[Suite],
             docs_dir: Path | None = None) -> GateReport:
    """Validate each suite's DataFrame; returns every expectation's outcome (never raises on
    failed expectations: `GateReport.raise_for_failures` is the gate)."""
    gx, context = _context(docs_dir)
    from great_expectations.core.expectation_suite import ExpectationSuite

    source = context.data_sources.add_pandas(stage)
    validations = []
    for suite in suites:
        gx_suite = context.suites.add(ExpectationSuite(name=suite.name, expectations=suite.expectations))
        batch = source.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(suite.name)
        validations.append(context.validation_definitions.add(
            gx.ValidationDefinition(name=suite.name, data=batch, suite=gx_suite)))
    report = GateReport(stage)
    for suite, validation in zip(suites, validations, strict=True):
        frame = frames[suite.name]
        if isinstance(frame, str):
            report.outcomes.append(CheckOutcome(stage, suite.name, suite.table, "table_is_readable", "",
                                                False, frame, None))
            continue
        checkpoint = context.checkpoints.add(gx.Checkpoint(
            name=f"{stage}:{suite.name}", validation_definitions=[validation], actions=[]))
        run = checkpoint.run(batch_parameters={"dataframe": frame})
        for validation_result in run.run_results.values():
            for result in validation_result.results:
                config = result.expectation_config
                observed, count = _observed(result.result or {})
                if result.exception_info and result.exception_info.get("raised_exception"):
                    observed = f"error: {result.exception_info.get('exception_message')}"
                kwargs = config.kwargs
                column = kwargs.get("column") or ",".join(kwargs.get("column_list") or [])
                report.outcomes.append(CheckOutcome(stage, suite.name, suite.table, config.type, column,
                                                    bool(result.success), observed, count))
    if docs_dir is not None:
        context.build_data_docs(site_names=["perfbudget"])
        report.docs_index = docs_dir / "index.html"
    return report


def validate_staging(staging_dir: Path, docs_dir: Path | None = None) -> GateReport:
    suites = load_suites("staging")
    return validate("staging", read_staging_frames(staging_dir, suites), suites, docs_dir)


def validate_marts(database: Path, docs_dir: Path | None = None) -> GateReport:
    suites = load_suites("marts")
    return validate("marts", read_mart_frames(database, suites), suites, docs_dir)


def gate_staging(staging_dir: Path, docs_dir: Path | None = None) -> GateReport:
    """The contract gate before load: raises `GateFailed` naming the failed checks."""
    return validate_staging(staging_dir, docs_dir).raise_for_failures()


def gate_marts(database: Path, docs_dir: Path | None = None) -> GateReport:
    """The gate after `dbt build`: raises `GateFailed` naming the failed checks."""
    return validate_marts(database, docs_dir).raise_for_failures()
