"""Fanning out: the files to parse cut into batches, mapped over worker processes in order.

A mapper takes a batch function and the batches and yields each batch's `FileRows` in batch
order: `in_process` in the calling process, `ProcessPool` on forked or spawned workers
(the GIL makes threads useless for parsing), the Prefect flow's task runner on a cluster
(flows.nightly). `default_mapper` picks one for the size of what there is to parse.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from extract.file_rows import FileRows
from extract.taxonomy import load_taxonomy

# Below this many bytes to parse, extraction stays in the calling process: starting spawned
# worker processes (~0.5 s) costs more than the samples take to parse (~0.1 s). Forked
# workers start in milliseconds: on two cores a 2.6 MB inbox already takes 0.24 s instead
# of 0.39 s in one process. PERFBUDGET_PARALLEL_MIN_BYTES sets both.
_MIN_BYTES_SETTING = os.environ.get("PERFBUDGET_PARALLEL_MIN_BYTES")
PARALLEL_MIN_BYTES = int(_MIN_BYTES_SETTING or 8_000_000)
FORKED_PARALLEL_MIN_BYTES = int(_MIN_BYTES_SETTING or 1_000_000)
BATCH_BYTES = 4_000_000
# On a pool, batches are cut so that each worker gets several and the last one is short (the
# last batch to finish sets the wall time: with 4 MB batches an 8 MB inbox made two batches,
# one per worker, and one worker idled while the other finished), but not so small that
# round trips dominate (1 MB takes about 0.1 s to parse).
BATCHES_PER_WORKER = 8
MIN_POOL_BATCH_BYTES = 256_000
MAX_POOL_BATCH_BYTES = 1_000_000

BatchFunction = Callable[[list], list[FileRows]]
Mapper = Callable[[BatchFunction, list[list]], Iterable[list[FileRows]]]


def plan_batches(items: list, sizes: list[int], batch_bytes: int = BATCH_BYTES) -> list[list]:
    """Consecutive items grouped into batches of about `batch_bytes` (at least one item each)."""
    batches, current, current_bytes = [], [], 0
    for item, size in zip(items, sizes, strict=True):
        if current and current_bytes + size > batch_bytes:
            batches.append(current)
            current, current_bytes = [], 0
        current.append(item)
        current_bytes += size
    if current:
        batches.append(current)
    return batches


def batch_bytes_for(bytes_to_parse: int, workers: int) -> int:
    """Batch size for `workers` processes: BATCH_BYTES in one process (fewest calls), else
    about BATCHES_PER_WORKER batches per worker, between MIN_ and MAX_POOL_BATCH_BYTES."""
    if workers < 2:
        return BATCH_BYTES
    return max(MIN_POOL_BATCH_BYTES, min(MAX_POOL_BATCH_BYTES, bytes_to_parse // (workers * BATCHES_PER_WORKER)))


def mapper_workers(mapper: Mapper) -> int:
    """How many processes a mapper runs batches on (1 for `in_process` or an unknown mapper)."""
    return getattr(mapper, "workers", 1)


def in_order(submit: Callable[[list], Any], batches: Iterable[list], window: int) -> Iterator[Any]:
    """Submit batches, at most `window` in flight, and yield their results in batch order:
    the workers run ahead of the consumer by `window` batches, never by the whole inbox."""
    pending: deque = deque()
    for batch in batches:
        pending.append(submit(batch))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def in_process(function: BatchFunction, batches: list[list]) -> Iterator[list[FileRows]]:
    for batch in batches:
        yield function(batch)


def worker_count() -> int:
    return max(1, int(os.environ.get("PERFBUDGET_EXTRACT_WORKERS", 0)) or os.cpu_count() or 1)


def _single_threaded() -> bool:
    """True when this process runs one OS thread (Linux: /proc/self/task), so a fork copies
    no lock another thread may hold; False when unsure."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return False


def start_method() -> str:
    """`fork` when it is safe (one thread, and available), else `spawn`.

    A spawned worker starts a new interpreter and imports the extractor (a 2.6 MB inbox on
    two spawned workers took 0.46 s, longer than the 0.39 s of one process; forked: 0.24 s);
    a forked one starts at once with the taxonomy and compiled patterns already loaded. But
    fork copies the locks of other threads in whatever state they are (the flow's process
    holds Prefect's threads), so it is only used when the process has no other thread.
    PERFBUDGET_START_METHOD overrides."""
    chosen = os.environ.get("PERFBUDGET_START_METHOD")
    if chosen:
        return chosen
    if "fork" in multiprocessing.get_all_start_methods() and _single_threaded():
        return "fork"
    return "spawn"


class ProcessPool:
    """Batches mapped over worker processes (the GIL makes threads useless for parsing);
    forked or spawned as `start_method` decides."""

    def __init__(self, workers: int | None = None, method: str | None = None):
        self.workers = workers or worker_count()
        self.method = method

    def __call__(self, function: BatchFunction, batches: list[list]) -> Iterator[list[FileRows]]:
        """Results in batch order. If anything stops the caller (an exception, a signal
        raised as one, the generator closed early), queued batches are cancelled and the
        workers terminated at once, not waited for."""
        method = self.method or start_method()
        if method == "fork":
            load_taxonomy()  # loaded once here, inherited by every worker
        context = multiprocessing.get_context(method)
        encoded = functools.partial(_encoded_csv, function)
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=worker_signals)
        try:
            yield from in_order(lambda batch: pool.submit(encoded, batch), batches, window=2 * self.workers)
        except BaseException:
            stop_pool(pool)
            raise
        pool.shutdown(wait=True)


def worker_signals() -> None:
    """In a worker: Ctrl-C (sent to the terminal's whole process group) is the parent's to
    handle, and SIGTERM just ends the process (a forked worker would otherwise inherit the
    parent's handler, e.g. `perfbudget run`'s, and raise in the middle of a batch)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def stop_pool(pool: ProcessPoolExecutor, grace: float = 5.0) -> None:
    """Cancel what is queued and terminate the workers now (`shutdown` alone waits for the
    batches in flight, and Python 3.11 has no `terminate_workers`)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(grace)
        if process.is_alive():
            process.kill()
            process.join(grace)


def _encoded_csv(function: BatchFunction, batch: list) -> list[FileRows]:
    """Run in a worker: the batch's rows with their CSV text as UTF-8 bytes. Pickling a str
    encodes it here anyway; bytes are then copied, not decoded, in the parent, and written to
    the staging files as they are (the parent is the one process every worker waits on)."""
    results = function(batch)
    for file_rows in results:
        file_rows.csv = {table: text.encode("utf-8") for table, text in file_rows.csv.items()}
    return results


def default_mapper(bytes_to_parse: int) -> Mapper:
    """In-process for a small inbox or one core; a process pool otherwise (how small depends
    on how fast its workers start)."""
    workers = worker_count()
    method = start_method()
    threshold = FORKED_PARALLEL_MIN_BYTES if method == "fork" else PARALLEL_MIN_BYTES
    if workers < 2 or bytes_to_parse < threshold:
        return in_process
    return ProcessPool(workers, method=method)
