"""Prefect flow `nightly_load`: the steps of flows.load, each run as a Prefect task.

The flow is thin (STYLE.md): every task wraps one library call of `flows.load.STEPS`, and
the chain, the run log and the failure handling are `flows.load.run_load`'s. Tasks retry
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

from expectations.runner import GateFailed
from flows.build import DbtBuildFailed
from flows.load import STEPS, run_load

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


def run_as_task(name: str, *args: Any, **kwargs: Any) -> Any:
    return TASKS[name](*args, **kwargs)


@flow(name="nightly_load")
def nightly_load(inbox: str = "data/samples", warehouse: str = "data/warehouse",
                 staging: str | None = None, quarantine: str | None = None) -> dict[str, Any]:
    """Discover → extract changed → gate staging → dbt build → gate marts → publish → record.

    `staging` and `quarantine` default to folders beside the warehouse folder."""
    result = run_load(Path(inbox), Path(warehouse), staging=staging, quarantine=quarantine,
                      run_step=run_as_task)
    summary = dict(result.summary_rows())
    get_run_logger().info("published %s: %s", summary["published"],
                          "; ".join(f"{label} {value}" for label, value in summary.items() if label != "published"))
    return summary
