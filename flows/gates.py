"""The quality gates as the nightly load runs them: in its own process, or each in a child
process of its own on a lean night (the full build of a large inbox, `lean_night`).

Why: the nightly load's peak memory is the build's (dbt's process beside the load's). A gate
run in the load's own process leaves Great Expectations (~145 MB of imports) and its batches'
heap in that process for the rest of the night: at 100 000 forms the load held 346 MB while
dbt built (bench/run.py, 2026-12-02). Run in a spawned child, the library and its batches go
when the child exits, before dbt starts (the staging gate) or after it has ended (the marts
gate). The child costs a new interpreter and the library's import (~5 s), so small inboxes and
incremental nights, whose builds are small, keep the gates in the load's process
(`lean_night`).

The staging gate's child is started while the files are read (`warm`), so that it has
imported the library by the time the gate runs, as `preload_library` does in-process.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from expectations import runner
from expectations.runner import GateReport, import_library, validate_marts, validate_staging
from flows.inbox import InboxListing
from flows.pool import stop_pool, worker_signals

MB = 1_000_000
# A full build of an inbox of at least this many bytes is a lean night: its gates run in a
# child, its dbt build with one thread and less memory (flows/build.py LEAN_ARGS). The samples
# are 0.4 MB; 10 000 forms 73 MB, 100 000 forms 732 MB.
LEAN_MIN_BYTES = int(float(os.environ.get("PERFBUDGET_LEAN_MIN_MB", "64")) * MB)

_warm: ProcessPoolExecutor | None = None  # a child importing the library, for the next gate


def lean_night(listing: InboxListing, full_build: bool) -> bool:
    """Whether the night's memory comes before its speed: the full build of a large inbox (an
    incremental night builds a few forms' rows)."""
    return full_build and listing_bytes(listing) >= LEAN_MIN_BYTES


def listing_bytes(listing: InboxListing) -> int:
    """The bytes of the inbox's files (one `stat` each; a file gone since is 0)."""
    total = 0
    for item in listing.files:
        with contextlib.suppress(OSError):
            total += item.path.stat().st_size
    return total


def _new_child() -> ProcessPoolExecutor:
    context = multiprocessing.get_context("spawn")  # never a fork of the load's threads and heap
    return ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=worker_signals)


def warm() -> None:
    """Start the next gate's child now and have it import the library in the background."""
    global _warm
    if _warm is None:
        _warm = _new_child()
        _warm.submit(import_library)


def discard() -> None:
    """Stop a warmed child nobody used (the night built incrementally, or ended early)."""
    global _warm
    if _warm is not None:
        child, _warm = _warm, None
        stop_pool(child)


def _run(function: Any, *args: Any) -> GateReport:
    """`function(*args)` in the warmed child, or a new one; the child is gone when this returns.
    The report comes back and is raised for failures here: an exception holding a report does
    not survive pickling."""
    global _warm
    child, _warm = _warm or _new_child(), None
    try:
        report = child.submit(function, *args).result()
    except BaseException:
        stop_pool(child)
        raise
    child.shutdown(wait=True)
    return report


def gate_staging(staging_dir: Path, docs_dir: Path | None = None, *, in_child: bool = False) -> GateReport:
    """`expectations.runner.gate_staging`; `in_child`: its validation runs in a child process."""
    if in_child:
        return _run(validate_staging, staging_dir, docs_dir).raise_for_failures()
    return runner.gate_staging(staging_dir, docs_dir)


def gate_marts(database: Path, docs_dir: Path | None = None, changed_only: bool = False, *,
               in_child: bool = False) -> GateReport:
    """`expectations.runner.gate_marts`; `in_child`: its validation runs in a child process."""
    if in_child:
        return _run(validate_marts, database, docs_dir, changed_only).raise_for_failures()
    return runner.gate_marts(database, docs_dir, changed_only)
