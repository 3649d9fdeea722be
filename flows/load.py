"""The nightly load as plain Python: the body of the Prefect flow `nightly_load`.

discover inbox → extract new/changed files (flows.incremental) → skip the rest when nothing
changed since the published build (flows.inputs) → Great Expectations gate on the staging
CSVs → `dbt build` into a new DuckDB file (an incremental one into the published run's kept
build) → Great Expectations on the marts (while a thread copies the build, to keep it) → copy
the run log into the build and its copy → publish the build by atomic rename, keep the copy
(flows.publish) → record the run.

Each step is one library call, named in `STEPS`. `run_load` calls them through `run_step`,
which by default calls the function directly; the Prefect flow passes a `run_step` that
runs each as a task (retries, UI, logs) — so tests can run the whole chain without a Prefect
server (no 11–20 s temporary server start), and the flow adds orchestration and nothing else.

Every run is logged (flows.runlog), failed ones too: a failed gate, a failed dbt build or
any other error ends the run as `failed` with the step and the message that names the check,
removes the unpublished build and re-raises; the published warehouse is never touched.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from expectations.report import render_run_index
from expectations.runner import CheckOutcome, GateFailed, preload_library
from extract.records import ExtractionIssue
from flows import gates, runlog
from flows.attribution import Attribution, attribute
from flows.build import DbtBuild, DbtBuildFailed, dbt_build, discard_prestarted, prestart_dbt_build, require_success
from flows.delta import DeltaBase
from flows.extraction_cache import ExtractionCache
from flows.inbox import InboxListing, discover_documents
from flows.incremental import IncrementalSummary, refresh_staging
from flows.inputs import (
    build_inputs,
    delta_base_of,
    project_fingerprint,
    record_published,
    unchanged_since,
)
from flows.layout import WarehouseLayout
from flows.publish import (
    BackgroundCopy,
    MovedBuild,
    clear_unfinished,
    exclusive_load,
    keep_published,
    kept_temp,
    publish,
)
from flows.runlog import DqResult, RunRecord
from flows.summary import quarantine_list

KEEP_QUALITY_RUNS = 30
# Builds again after dropping the forms a failed dbt test traced to, at most this many times
MAX_REBUILDS = 2
FACT_TABLES = ("fact_budget_line", "fact_indicator", "dim_document")
# An incremental night appends the changed forms' rows to every document-keyed table as a new,
# small row group, and DuckDB's checkpoint (when dbt closes the build) merges such row groups into
# their neighbours: 11-15 s of a 1 % night at 100 000 forms (profiles/profiles.yml,
# PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS). So incremental nights leave that merge out, and every
# VACUUM_EVERY-th incremental night in a row does it (a full build writes every table anew).
VACUUM_EVERY = 7


class UnexplainedBuildFailure(DbtBuildFailed):
    """`dbt build` failed for something no single form explains; the message names the failed
    nodes and the forms and lines their failing rows trace to."""

    def __init__(self, result: DbtBuild, attribution: Attribution):
        super().__init__(result)
        self.attribution = attribution
        self.args = (f"{self.args[0]}; {attribution.describe()}",)


def build_warehouse(database: Path, staging_dir: Path, work_dir: Path, start_from: Path | None = None,
                    copied: bool = False, lean: bool = False, vacuum: bool = True) -> DbtBuild:
    """`dbt build` into `database` (on a copy of `start_from`, the published warehouse, for
    an incremental build; `copied`: `database` is that copy already; `lean`: memory before
    speed, flows.build LEAN_ARGS; `vacuum` False: DuckDB merges no row groups, `vacuums`);
    raises `DbtBuildFailed` (carrying the node results)."""
    return require_success(dbt_build(database, staging_dir, work_dir, start_from=start_from, copied=copied,
                                     lean=lean, vacuum=vacuum))


def vacuums(base: DeltaBase | None) -> bool:
    """Whether a build on `base` (None: a full build) lets DuckDB vacuum: a full build, and an
    incremental one after VACUUM_EVERY - 1 incremental nights in a row without it."""
    return base is None or base.nights_unvacuumed + 1 >= VACUUM_EVERY


def attribute_failures(database: Path, work_dir: Path) -> Attribution:
    """The forms a failed build's tests trace to (flows.attribution)."""
    return attribute(database, work_dir / "target")


def check_inputs(layout: WarehouseLayout, inbox_fingerprint: str) -> tuple[str, str | None]:
    """(the build inputs' hash, the run id of the published build when it was made from the
    same inputs — then there is nothing to build)."""
    inputs = build_inputs(layout.staging, inbox_fingerprint)
    return inputs, unchanged_since(layout, inputs)


def start_of_build(base: DeltaBase, building: Path) -> BackgroundCopy | MovedBuild:
    """Where an incremental build starts: the published run's kept build moved into place when
    flows.delta found it as publishing left it (no copy), else a copy of the published file made
    by a thread while the load goes on."""
    if base.kept is not None:
        try:
            return MovedBuild(base.kept, building, base.published)
        except OSError:  # it went missing since: copy the published file instead
            pass
    return BackgroundCopy(base.published, building)


def count_rows(database: Path, tables: tuple[str, ...] = FACT_TABLES) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(database), read_only=True) as connection:
        return {table: connection.execute(f"select count(*) from main.{table}").fetchone()[0]
                for table in tables}


STEPS: dict[str, Callable[..., Any]] = {
    "discover_documents": discover_documents,
    "extract_changed": refresh_staging,
    "check_inputs": check_inputs,
    "gate_staging": gates.gate_staging,
    "dbt_build": build_warehouse,
    "attribute_failures": attribute_failures,
    "gate_marts": gates.gate_marts,
    "count_rows": count_rows,
    "record_run_tables": runlog.write_tables,
    "publish": publish,
}

RunStep = Callable[..., Any]


def call_directly(name: str, *args: Any, **kwargs: Any) -> Any:
    return STEPS[name](*args, **kwargs)


@dataclass(slots=True)
class LoadResult:
    run: RunRecord
    extraction: IncrementalSummary | None
    rows: dict[str, int]
    dq: list[DqResult]
    step_seconds: dict[str, float] = field(default_factory=dict)
    staging_dir: Path | None = None  # where extraction_issues.csv names each quarantined file's reason
    build_mode: str = ""  # "full" or "incremental on <run id>: N files changed" (flows.delta)

    def summary_rows(self) -> list[tuple[str, str]]:
        run, extraction = self.run, self.extraction
        forms = extraction.extraction.forms_by_type if extraction else {}
        by_type = ", ".join(f"{kind} {count}" for kind, count in sorted(forms.items()))
        failed_checks = sum(1 for check in self.dq if check.status in {"fail", "error"})
        warned_checks = sum(1 for check in self.dq if check.status == "warn")
        return [
            ("run", f"{run.run_id} ({run.status})"),
            ("files", str(run.files_seen)),
            ("changed", f"{run.files_changed} extracted, {run.files_reused} reused from cache"),
            ("quarantined", str(run.files_quarantined)
             + (f" ({quarantine_list(extraction.quarantined, self.staging_dir)})"
                if extraction and extraction.quarantined else "")),
            ("forms", f"{run.forms}" + (f" ({by_type})" if by_type else "")),
            *((("build", self.build_mode),) if self.build_mode else ()),
            *((f"rows {table}", str(count)) for table, count in self.rows.items()),
            ("warnings", str(run.warnings)),
            ("checks", f"{len(self.dq)} run, {failed_checks} failed, {warned_checks} warned (dbt severity warn)"),
            ("published", str(run.published_file)
             + (f" (untouched: {run.message})" if run.status == runlog.SKIPPED else "")),
            ("quality docs", str(run.quality_docs)),
            ("seconds", f"{run.seconds:.1f}"),
            ("step seconds", ", ".join(f"{name} {sec:.1f}" for name, sec in self.step_seconds.items())),
        ]


def _gate_rows(run_id: str, outcomes: list[CheckOutcome]) -> list[DqResult]:
    now = runlog.utc_now()
    return [DqResult(run_id, o.stage, o.suite, o.table, o.check, o.column, "pass" if o.success else "fail",
                     o.success, o.unexpected_count, o.observed, now) for o in outcomes]


def _dbt_rows(run_id: str, build: DbtBuild) -> list[DqResult]:
    now = runlog.utc_now()
    nodes = [node for node in build.nodes if node.resource_type == "test" or not node.passed]
    return [DqResult(run_id, "dbt", node.unique_id, "", node.name, "", node.status, node.passed, node.failures,
                     node.message, now) for node in nodes]


def _prune_quality(layout: WarehouseLayout, keep: int = KEEP_QUALITY_RUNS) -> None:
    folder = layout.root / "quality"
    if folder.exists():
        for old in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True)[keep:]:
            shutil.rmtree(old, ignore_errors=True)


def _record_extraction(run: RunRecord, extraction: IncrementalSummary, *, first: bool) -> None:
    """The run's file and form counts; a re-landing after rejections keeps the first pass's
    count of changed and reused files (nothing was parsed the second time)."""
    if first:
        run.files_seen, run.files_changed = extraction.files_seen, extraction.files_changed
        run.files_reused = len(extraction.reused_by_stat) + len(extraction.reused_by_hash)
    run.files_quarantined = extraction.files_quarantined
    run.forms = extraction.extraction.forms
    run.warnings, run.errors = extraction.extraction.warnings, extraction.extraction.errors


def run_load(inbox: Path | str, warehouse: Path | str, *, staging: Path | str | None = None,
             quarantine: Path | str | None = None, run_step: RunStep = call_directly,
             force: bool = False, share_folders: bool = False) -> LoadResult:
    """Run the nightly load once. Returns the result of a published run, or of a `skipped`
    one when nothing changed since the published build (same inbox, extractor, dbt project,
    suites and dbt arguments; `force` re-extracts and builds anyway); raises (after logging
    the failed run) when a gate, the dbt build or any step fails for a reason no single form
    explains. A form that fails a staging row check or a dbt test is dropped with an
    `error` issue, and the rest is built and published (see flows.attribution)."""
    started = time.perf_counter()
    inbox = Path(inbox).resolve()
    layout = WarehouseLayout.at(warehouse, staging, quarantine, shared=share_folders)
    layout.ensure()
    run = RunRecord(run_id=runlog.new_run_id(), started_at=runlog.utc_now(), inbox=str(inbox))
    result = LoadResult(run, None, {}, [], staging_dir=layout.staging)
    step = "lock"
    published = False

    def timed_step(name: str, *args: Any, **kwargs: Any) -> Any:
        step_started = time.perf_counter()
        try:
            return run_step(name, *args, **kwargs)
        finally:
            result.step_seconds[name] = round(result.step_seconds.get(name, 0.0)
                                              + time.perf_counter() - step_started, 2)

    def checks(rows: list[DqResult]) -> None:
        result.dq.extend(rows)
        runlog.record_checks(layout.run_log, rows)

    def gate(name: str, *args: Any, **kwargs: Any) -> None:
        """A quality gate whose outcomes are recorded whether it passes or fails; the run's
        report page (quality/<run_id>/index.html) links each stage page written so far."""
        try:
            report = timed_step(name, *args, **kwargs)
        except GateFailed as failed:
            checks(_gate_rows(run.run_id, failed.report.outcomes))
            raise
        finally:
            if run.quality_docs:
                render_run_index(Path(run.quality_docs), run.run_id)
        checks(_gate_rows(run.run_id, report.outcomes))

    try:
        with exclusive_load(layout):
            try:
                layout.claim_folders()
                runlog.close_abandoned(layout.run_log, run.run_id)
                clear_unfinished(layout)
                runlog.record_run(layout.run_log, run)
                docs = layout.quality(run.run_id)
                run.quality_docs = str(docs)

                step = "discover_documents"
                listing: InboxListing = timed_step(step, inbox)
                project = project_fingerprint()
                # an incremental build on the published one, unless it is of another project or forced
                base = None if force else delta_base_of(layout, project)
                cache = ExtractionCache(layout.extraction_cache)
                rejections: dict[str, list[ExtractionIssue]] = cache.load_rejections(project)

                # an incremental build starts from the published run's kept build, moved into place,
                # or from a copy of the published file made while the files are parsed and the staging
                # gate runs; either from when extraction finds that the CSVs change (a night with
                # nothing changed moves and copies nothing)
                early_copy: BackgroundCopy | MovedBuild | None = None

                def copy_published() -> None:
                    nonlocal early_copy
                    if early_copy is None:
                        early_copy = start_of_build(base, layout.building)

                def extract(first: bool) -> IncrementalSummary:
                    relanding = {"on_relanding": copy_published} if first and base is not None else {}
                    extraction = timed_step("extract_changed", listing, inbox, layout.staging, layout.quarantine,
                                            layout.extraction_cache, force=force and first, rejections=rejections,
                                            base=base, **relanding)
                    result.extraction = extraction
                    _record_extraction(run, extraction, first=first)
                    return extraction

                def start_from_of(extraction: IncrementalSummary) -> Path | None:
                    """The published file an incremental build copies; None for a full build."""
                    return base.published if base and extraction.base_run == base.run_id else None

                step = "extract_changed"
                # a full build of a large inbox is lean (flows.gates): each gate runs in a child
                # process, whose library and batches are gone before dbt builds, and dbt builds
                # with one thread and less memory; the gate's library loads while files are read,
                # in that child or in this process
                lean = gates.lean_night(listing, full_build=base is None)
                gate_options = {"in_child": True} if lean else {}
                build_options = {"lean": True} if lean else {}
                if lean and STEPS["gate_staging"] is gates.gate_staging:
                    gates.warm()
                elif STEPS["gate_staging"] is gates.gate_staging:
                    preload_library()
                try:
                    extraction = extract(first=True)
                    step = "check_inputs"
                    inputs, unchanged = timed_step(step, layout, extraction.fingerprint)
                    incremental_from = start_from_of(extraction)
                except BaseException:
                    if early_copy is not None:
                        early_copy.discard()
                    raise
                # the copy (or moved build) made early (only with a base, so never forced), if the
                # build starts from it; a moved build that is not used goes back to its place
                first_copy = early_copy
                if first_copy is not None and (unchanged or incremental_from != first_copy.source):
                    first_copy.discard()
                    first_copy = None
                if unchanged and not force:
                    # nothing to build: the published file stays as it is (not even rewritten), and the
                    # run is logged as `skipped`; its etl_runs row reaches BI with the next publish
                    result.run = run = replace(
                        run, status=runlog.SKIPPED, ended_at=runlog.utc_now(), quality_docs=None,
                        published_file=str(layout.published),
                        message=f"nothing changed since run {unchanged}: build and publish skipped",
                        seconds=round(time.perf_counter() - started, 3))
                    runlog.record_run(layout.run_log, run)
                    return result

                step = "gate_staging"
                # an incremental build's copy of the published file goes on while the gate reads the
                # staging CSVs (flows.publish.BackgroundCopy), started here unless extraction started it
                if incremental_from is not None and first_copy is None:
                    first_copy = start_of_build(base, layout.building)
                vacuum = incremental_from is None or vacuums(base)
                if not vacuum:
                    build_options["vacuum"] = False
                # an incremental build's dbt starts while the gate runs (~4 s of a 1 % night's ~75 s at
                # 100 000 forms; a full night would gain 1 % and hold its 134 MB through the gate)
                if incremental_from is not None and STEPS["dbt_build"] is build_warehouse:
                    prestart_dbt_build(layout.building, layout.staging, layout.dbt_work, start_from=incremental_from,
                                       vacuum=vacuum)
                try:
                    gate(step, layout.staging, docs / "staging", **gate_options)
                except BaseException:
                    if first_copy is not None:
                        first_copy.discard()
                    raise

                for attempt in range(MAX_REBUILDS + 1):
                    step = "dbt_build"
                    start_from = start_from_of(extraction)
                    result.build_mode = (f"incremental on run {base.run_id}: {len(extraction.changed_files)} "
                                         f"files changed" if start_from else "full")
                    try:
                        copied, waited = first_copy is not None, 0.0
                        if first_copy is not None:  # the first attempt builds on it; a rebuild copies afresh
                            first_copy.wait()
                            first_copy, waited = None, first_copy.waited  # counted in the dbt_build step
                        build = timed_step(step, layout.building, layout.staging, layout.dbt_work, start_from,
                                           copied=copied, **build_options)
                        result.step_seconds[step] = round(result.step_seconds[step] + waited, 2)
                        break
                    except DbtBuildFailed as failed:
                        step = "attribute_failures"
                        attribution = timed_step(step, layout.building, layout.dbt_work)
                        if not attribution.explains_everything or attempt == MAX_REBUILDS:
                            checks(_dbt_rows(run.run_id, failed.result))
                            step = "dbt_build"
                            raise UnexplainedBuildFailure(failed.result, attribution) from failed
                        rejections.update(attribution.findings)
                        cache.save_rejections(project, rejections)
                        step = "extract_changed"
                        extraction = extract(first=False)
                        step = "gate_staging"
                        gate(step, layout.staging, docs / "staging", **gate_options)
                inputs = build_inputs(layout.staging, extraction.fingerprint)
                checks(_dbt_rows(run.run_id, build))

                # the copy that publish keeps is made while the gate and the row count read the
                # build (flows.publish.BackgroundCopy); nothing writes the build until it is done. It
                # is not flushed to disk (flows.publish `publish`), the build itself is published
                copy = BackgroundCopy(layout.building, kept_temp(layout, run.run_id))
                try:
                    step = "gate_marts"
                    # an incremental build's form-keyed tables: only the changed forms' rows (MartTables)
                    gate(step, layout.building, docs / "marts", start_from is not None, **gate_options)

                    step = "count_rows"
                    result.rows = timed_step(step, layout.building)
                    run.rows_fact_budget_line = result.rows.get("fact_budget_line")
                    run.rows_fact_indicator = result.rows.get("fact_indicator")
                    run.rows_dim_document = result.rows.get("dim_document")

                    step = "publish"
                    copied = copy.wait()  # the seconds waited count in the publish step
                except BaseException:
                    copy.discard()
                    raise

                step = "record_run_tables"
                published_run = replace(run, status=runlog.SUCCESS, ended_at=runlog.utc_now(),
                                        published_file=str(layout.published),
                                        build_file=str(layout.build_of(run.run_id)),
                                        seconds=round(time.perf_counter() - started, 3))
                for database in (layout.building, copied):  # the published file and the kept build
                    timed_step(step, database, layout.run_log, [published_run])

                step = "publish"
                timed_step(step, layout.building, layout, run.run_id, copied=copied)
                published = True
                result.step_seconds[step] = round(result.step_seconds[step] + copy.waited, 2)
                record_published(layout, run.run_id, inputs, project, extraction.landed_files, sorted(rejections),
                                 nights_unvacuumed=0 if vacuum or start_from is None else base.nights_unvacuumed + 1)
                ExtractionCache(layout.extraction_cache).rebase_landed(run.run_id)
                result.run = run = published_run
                runlog.record_run(layout.run_log, run)
                _prune_quality(layout)
                return result
            except BaseException:
                discard_prestarted(layout.building)
                clear_unfinished(layout)
                if not published:  # the published run keeps its build, though the night moved it here
                    keep_published(layout)
                raise
            finally:
                gates.discard()  # a warmed gate child that no gate used
    except BaseException as err:
        run.status = runlog.FAILED
        run.failed_step = step
        run.message = f"{type(err).__name__}: {err}"[:4000]
        run.ended_at = runlog.utc_now()
        run.seconds = round(time.perf_counter() - started, 3)
        runlog.record_run(layout.run_log, run)
        raise
