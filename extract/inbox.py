"""Inbox → staging: extract every document, land the staging CSVs, quarantine bad files.

This is the I/O edge around `pipeline.extract_file`: it lists the inbox, reads bytes, copies
files with an `error` issue to the quarantine folder, and writes the six staging tables.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.pipeline import ERROR, WARNING, FileExtraction, extract_file
from extract.records import ExtractionIssue
from extract.staging import TableWriter, render_rows
from extract.taxonomy import Taxonomy, load_taxonomy

SUPPORTED_SUFFIXES = frozenset({".txt"})


class InboxError(RuntimeError):
    """The inbox itself cannot be read (missing, not a folder, no permission)."""


@dataclass(slots=True)
class ExtractionSummary:
    files: int = 0
    forms_by_type: Counter = field(default_factory=Counter)
    indicator_rows: int = 0
    budget_lines: int = 0
    narratives: int = 0
    report_facts: int = 0
    errors: int = 0
    warnings: int = 0
    quarantined: list[str] = field(default_factory=list)
    seconds: float = 0.0
    bytes_read: int = 0

    @property
    def forms(self) -> int:
        return sum(self.forms_by_type.values())

    def lines(self) -> list[str]:
        by_type = ", ".join(f"{kind} {count}" for kind, count in sorted(self.forms_by_type.items())) or "none"
        return [
            f"files            {self.files}",
            f"forms            {self.forms} ({by_type})",
            f"indicator rows   {self.indicator_rows}",
            f"budget lines     {self.budget_lines}",
            f"narratives       {self.narratives}",
            f"report facts     {self.report_facts}",
            f"issues           {self.errors} errors, {self.warnings} warnings",
            f"quarantined      {len(self.quarantined)}"
            + (f" ({', '.join(self.quarantined)})" if self.quarantined else ""),
            f"seconds          {self.seconds:.2f}",
        ]


def list_documents(inbox: Path) -> list[Path]:
    if not inbox.exists():
        raise InboxError(f"inbox {inbox} does not exist")
    if not inbox.is_dir():
        raise InboxError(f"inbox {inbox} is not a folder")
    try:
        return sorted(p for p in inbox.rglob("*") if p.is_file() and not p.name.startswith("."))
    except PermissionError as err:
        raise InboxError(f"inbox {inbox} cannot be read: {err}") from err


def extract_paths(paths: Iterable[Path], inbox: Path, taxonomy: Taxonomy | None = None,
                  progress: Callable[[int], None] | None = None) -> list[FileExtraction]:
    """Extract each file; unsupported or unreadable files become error issues, never exceptions."""
    results = []
    for done, result in enumerate(iter_extractions(paths, inbox, taxonomy), start=1):
        results.append(result)
        if progress:
            progress(done)
    return results


def iter_extractions(paths: Iterable[Path], inbox: Path, taxonomy: Taxonomy | None = None) -> Iterator[FileExtraction]:
    """`extract_paths` one file at a time: a caller that renders each file as it comes keeps
    one file's row objects alive, not a whole batch's (fewer objects for the garbage
    collector to walk, and a heap that stays in the CPU caches)."""
    taxonomy = taxonomy or load_taxonomy()
    for path in paths:
        name = path.relative_to(inbox).as_posix()
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            result = FileExtraction(source_file=name, source_sha256="")
            result.issues.append(ExtractionIssue(name, "", ERROR, "unsupported_format",
                                                 f"'{path.suffix}' files are not read yet (only .txt)", None))
        else:
            try:
                data = path.read_bytes()
            except OSError as err:
                result = FileExtraction(source_file=name, source_sha256="")
                result.issues.append(ExtractionIssue(name, "", ERROR, "unreadable_file", str(err), None))
            else:
                result = extract_file(name, data, taxonomy)
        yield result


_TABLE_ATTRS = {"documents": "documents", "narratives": "narratives", "budget_lines": "budget_lines",
                "indicators": "indicators", "report_facts": "report_facts", "extraction_issues": "issues"}


@dataclass(slots=True)
class FileRows:
    """One file's staging rows rendered as CSV text per table, with its counts: what a worker
    sends back and what the incremental cache keeps. Text, not row objects: it pickles and
    lands (a plain write) many times faster than millions of dataclasses."""

    source_file: str
    source_sha256: str
    content_id: str
    csv: dict[str, str | bytes]  # text; its UTF-8 bytes on the way back from a ProcessPool worker
    rows: dict[str, int]
    forms_by_type: dict[str, int]
    errors: int
    warnings: int

    @property
    def has_errors(self) -> bool:
        return self.errors > 0


def render_file(result: FileExtraction) -> FileRows:
    return FileRows(
        source_file=result.source_file, source_sha256=result.source_sha256, content_id=result.content_id,
        csv={table: render_rows(table, getattr(result, attr)) for table, attr in _TABLE_ATTRS.items()},
        rows={table: len(getattr(result, attr)) for table, attr in _TABLE_ATTRS.items()},
        forms_by_type=dict(Counter(doc.doc_type for doc in result.documents)),
        errors=sum(1 for i in result.issues if i.severity == ERROR),
        warnings=sum(1 for i in result.issues if i.severity == WARNING))


class StagingLander:
    """Lands files' rows one file at a time, in inbox order, into the six staging CSVs.

    Holds one file's rows at a time (plus the content ids seen, for duplicates), so memory
    does not grow with the inbox; each CSV is renamed into place on `commit`, so readers
    see the old tables or the new ones, never a half-written one. The bytes are the same
    whatever the batches were."""

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir
        self.writers: dict[str, TableWriter] = {}
        self.seen: dict[str, str] = {}
        self.summary = ExtractionSummary()
        try:
            for table in _TABLE_ATTRS:
                self.writers[table] = TableWriter(out_dir, table)
        except BaseException:
            self.abort()
            raise

    def add(self, result: FileExtraction) -> FileRows:
        return self.add_rows(render_file(result))

    def add_rows(self, file_rows: FileRows) -> FileRows:
        """Land one file (a duplicate of an earlier file's text lands as one warning instead)."""
        summary = self.summary
        summary.files += 1
        if file_rows.content_id and file_rows.rows["documents"]:
            first = self.seen.setdefault(file_rows.content_id, file_rows.source_file)
            if first != file_rows.source_file:
                self.writers["extraction_issues"].write([ExtractionIssue(
                    file_rows.source_file, "", WARNING, "duplicate_document",
                    f"same text as {first}; not loaded twice", None)])
                summary.warnings += 1
                return file_rows
        for table, writer in self.writers.items():
            writer.write_text(file_rows.csv[table], file_rows.rows[table])
        summary.forms_by_type.update(file_rows.forms_by_type)
        summary.indicator_rows += file_rows.rows["indicators"]
        summary.budget_lines += file_rows.rows["budget_lines"]
        summary.narratives += file_rows.rows["narratives"]
        summary.report_facts += file_rows.rows["report_facts"]
        summary.errors += file_rows.errors
        summary.warnings += file_rows.warnings
        return file_rows

    def commit(self) -> None:
        for writer in self.writers.values():
            writer.commit()

    def abort(self) -> None:
        for writer in self.writers.values():
            writer.abort()

    def __enter__(self) -> StagingLander:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        if kind is None:
            self.commit()
        else:
            self.abort()


def land(results: Iterable[FileExtraction], out_dir: Path) -> None:
    """Write the six staging tables, each atomically (duplicates dropped on the way)."""
    with StagingLander(out_dir) as lander:
        for result in results:
            lander.add(result)


def quarantine(results: list[FileExtraction] | list[FileRows], inbox: Path, quarantine_dir: Path) -> list[str]:
    moved = []
    for result in results:
        if result.has_errors:
            target = quarantine_dir / result.source_file
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(inbox / result.source_file, target)
            moved.append(result.source_file)
    return moved


def add_to_summary(summary: ExtractionSummary, result: FileExtraction) -> None:
    summary.files += 1
    summary.forms_by_type.update(doc.doc_type for doc in result.documents)
    summary.indicator_rows += len(result.indicators)
    summary.budget_lines += len(result.budget_lines)
    summary.narratives += len(result.narratives)
    summary.report_facts += len(result.report_facts)
    summary.errors += sum(1 for i in result.issues if i.severity == ERROR)
    summary.warnings += sum(1 for i in result.issues if i.severity == WARNING)


def summarise(results: list[FileExtraction]) -> ExtractionSummary:
    summary = ExtractionSummary()
    for result in results:
        add_to_summary(summary, result)
    return summary


# --- fanning out: batches of files, mapped in order -------------------------------------

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
        method = self.method or start_method()
        if method == "fork":
            load_taxonomy()  # loaded once here, inherited by every worker
        context = multiprocessing.get_context(method)
        encoded = functools.partial(_encoded_csv, function)
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=context) as pool:
            yield from in_order(lambda batch: pool.submit(encoded, batch), batches, window=2 * self.workers)


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


def extract_batch(paths: list[Path], inbox: Path) -> list[FileRows]:
    """One batch of files, rendered (a picklable unit of work for a pool or a cluster)."""
    return [render_file(result) for result in iter_extractions(paths, inbox)]


def _sizes(paths: list[Path]) -> list[int]:
    sizes = []
    for path in paths:
        try:
            sizes.append(path.stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def run_extraction(inbox: Path, out_dir: Path, quarantine_dir: Path | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   mapper: Mapper | None = None) -> ExtractionSummary:
    """Extract the whole inbox into the staging CSVs, streaming: rows are written a batch of
    files at a time, never all held in memory."""
    started = time.perf_counter()
    paths = list_documents(inbox)
    total = len(paths)
    sizes = _sizes(paths)
    mapper = mapper or default_mapper(sum(sizes))
    batches = plan_batches(paths, sizes, batch_bytes_for(sum(sizes), mapper_workers(mapper)))
    if len(batches) < 2:
        mapper = in_process  # one batch runs on one process anyway: no pool to start
    quarantined = []
    done = 0
    with StagingLander(out_dir) as lander:
        for batch_rows in mapper(functools.partial(extract_batch, inbox=inbox), batches):
            for result in batch_rows:
                lander.add_rows(result)
                quarantined += quarantine([result], inbox, quarantine_dir or out_dir.parent / "quarantine")
                done += 1
                if progress:
                    progress(done, total)
    summary = lander.summary
    summary.quarantined = quarantined
    summary.bytes_read = sum(sizes)
    summary.seconds = time.perf_counter() - started
    return summary
