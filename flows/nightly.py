"""Prefect flow `nightly_load`: the steps of flows.load, each run as a Prefect task.

The flow is thin (STYLE.md): every task wraps one library call of `flows.load.STEPS`, and
the chain, the run log and the failure handling are `flows.load.run_load`'s.

Extraction fans out through the flow's task runner (DESIGN.md §8): with a Dask scheduler
configured (`--dask-address` / $PERFBUDGET_DASK_ADDRESS) the flow runs on prefect-dask's
`DaskTaskRunner` and `extract_changed` maps the task `extract_batch` over batches of changed
files (about `DASK_BATCH_BYTES` each: Prefect records every task run, ~100 ms) on the
cluster's workers, which must see the inbox and the staging folder at the same paths (a
shared file system). Without one, extraction stays in the flow's process and parallelises
with a local process pool when the inbox is large (flows.pool.default_mapper): threads,
the default task runner, gain nothing on CPU-bound parsing under the GIL. Tasks retry
transient errors (I/O, a DuckDB file briefly unavailable, a timeout); a failed quality gate
or a failed dbt build is not transient and fails the flow at once, with the message naming
the check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext

from expectations.runner import GateFailed
from flows.build import DbtBuildFailed
from flows.load import STEPS, run_load

DASK_ADDRESS_ENV = "PERFBUDGET_DASK_ADDRESS"
DASK_BATCH_BYTES = 16_000_000

TASK_RETRIES = int(os.environ.get("PERFBUDGET_TASK_RETRIES", "2"))
TASK_RETRY_DELAY_SECONDS = float(os.environ.get("PERFBUDGET_TASK_RETRY_DELAY_SECONDS", "5"))


def is_transient(exception: BaseException) -> bool:
    """Worth another try: I/O and timeouts, DuckDB I/O; never a failed check."""
    if isinstance(exception, GateFailed | DbtBuildFailed):
        return False
    try:
        import duckdb

        if isinstance(exception, duckdb.IOException):
            return True
    except ImportError:  # pragma: no cover
        pass
    return isinstance(exception, OSError | TimeoutError)


def _retry_transient(task_, task_run, state) -> bool:
    try:
        state.result()
    except Exception as exception:  # noqa: BLE001 - the state's own exception, judged here
        return is_transient(exception)
    return False


TASKS = {
    name: task(function, name=name, retries=TASK_RETRIES, retry_delay_seconds=TASK_RETRY_DELAY_SECONDS,
               retry_condition_fn=_retry_transient, cache_policy=NO_CACHE)
    for name, function in STEPS.items()
}


def _run_batch(function, batch: list) -> list:
    return function(batch)


extract_batch = task(_run_batch, name="extract_batch", retries=TASK_RETRIES,
                     retry_delay_seconds=TASK_RETRY_DELAY_SECONDS, retry_condition_fn=_retry_transient,
                     cache_policy=NO_CACHE)


def task_runner_mapper(function, batches: list[list]):
    """Map `extract_batch` over the batches on the flow's task runner, results in order, a
    bounded number in flight (the flow lands one batch while the workers parse the next)."""
    from flows.pool import in_order

    context = FlowRunContext.get()
    workers = 2
    client = getattr(getattr(context, "task_runner", None), "_client", None)
    if client is not None:
        workers = max(1, sum(client.nthreads().values()))
    yield from in_order(lambda batch: extract_batch.submit(function, batch), batches, window=2 * workers)


def _on_dask() -> bool:
    context = FlowRunContext.get()
    runner = getattr(context, "task_runner", None)
    return type(runner).__name__ == "DaskTaskRunner"


def run_as_task(name: str, *args: Any, **kwargs: Any) -> Any:
    if name == "extract_changed" and _on_dask():
        # the step runs in the flow (it lands the CSVs as batches come back); its batches are tasks
        return STEPS[name](*args, mapper=task_runner_mapper, batch_bytes=DASK_BATCH_BYTES, **kwargs)
    return TASKS[name](*args, **kwargs)


@flow(name="nightly_load")
def nightly_load(inbox: str = "data/samples", warehouse: str = "data/warehouse",
                 staging: str | None = None, quarantine: str | None = None, force: bool = False,
                 share_folders: bool = False) -> dict[str, Any]:
    """Discover → extract changed → (nothing changed: stop, logged as `skipped`) → gate staging
    → dbt build → gate marts → publish → record.

    `staging` and `quarantine` default to folders of the warehouse folder (another
    warehouse's are refused unless `share_folders`); `force` re-extracts, builds and
    publishes even when nothing changed."""
    result = run_load(Path(inbox), Path(warehouse), staging=staging, quarantine=quarantine,
                      run_step=run_as_task, force=force, share_folders=share_folders)
    summary = dict(result.summary_rows())
    get_run_logger().info("published %s: %s", summary["published"],
                          "; ".join(f"{label} {value}" for label, value in summary.items() if label != "published"))
    return summary


def nightly_flow(dask_address: str | None = None):
    """`nightly_load` on the Dask cluster at `dask_address` (default $PERFBUDGET_DASK_ADDRESS),
    or as it is (default task runner, local extraction) when none is configured."""
    address = dask_address if dask_address is not None else os.environ.get(DASK_ADDRESS_ENV, "")
    if not address:
        return nightly_load
    from prefect_dask import DaskTaskRunner

    return nightly_load.with_options(task_runner=DaskTaskRunner(address=address))
