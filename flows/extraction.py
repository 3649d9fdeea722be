"""Inbox → staging in one go: extract every document, land the staging CSVs, quarantine bad
files (`perfbudget extract`; the nightly load's incremental refresh is flows.incremental).

This is the I/O edge around `extract.pipeline.extract_file`: it lists the inbox
(flows.inbox), reads bytes, maps batches of files over processes (flows.pool), copies files
with an `error` issue to the quarantine folder (flows.quarantine), and writes the staging
tables (flows.landing).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from extract.file_rows import FileRows, render_file
from extract.pipeline import ERROR, FileExtraction, extract_file
from extract.records import ExtractionIssue
from extract.taxonomy import Taxonomy, load_taxonomy
from flows.inbox import InboxFile, discover_documents, read_regular_file
from flows.landing import StagingLander
from flows.pool import Mapper, batch_bytes_for, default_mapper, in_process, mapper_workers, plan_batches
from flows.progress import Progress
from flows.quarantine import quarantine
from flows.summary import ExtractionSummary


def extract_paths(paths: Iterable[Path | InboxFile], inbox: Path, taxonomy: Taxonomy | None = None,
                  progress: Callable[[int], None] | None = None) -> list[FileExtraction]:
    """Extract each file; unsupported or unreadable files become error issues, never exceptions."""
    results = []
    for done, result in enumerate(iter_extractions(paths, inbox, taxonomy), start=1):
        results.append(result)
        if progress:
            progress(done)
    return results


def _path_and_name(item: Path | InboxFile, inbox: Path) -> tuple[Path, str]:
    if isinstance(item, InboxFile):
        return item.path, item.name
    return item, item.relative_to(inbox).as_posix()


def iter_extractions(paths: Iterable[Path | InboxFile], inbox: Path,
                     taxonomy: Taxonomy | None = None) -> Iterator[FileExtraction]:
    """`extract_paths` one file at a time: a caller that renders each file as it comes keeps
    one file's row objects alive, not a whole batch's (fewer objects for the garbage
    collector to walk, and a heap that stays in the CPU caches). Items are paths (named by
    their path under `inbox`) or `InboxFile`s (named by their UTF-8 name)."""
    taxonomy = taxonomy or load_taxonomy()
    for item in paths:
        path, name = _path_and_name(item, inbox)
        try:
            data = read_regular_file(path)
        except OSError as err:
            result = FileExtraction(source_file=name, source_sha256="")
            result.issues.append(ExtractionIssue(name, "", ERROR, "unreadable_file", str(err), None))
        else:
            # the readers decide what a file is (by suffix and signature) and say which formats they read
            result = extract_file(name, data, taxonomy)
        yield result


def extract_batch(paths: list[Path | InboxFile], inbox: Path) -> list[FileRows]:
    """One batch of files, rendered (a picklable unit of work for a pool or a cluster)."""
    return [render_file(result) for result in iter_extractions(paths, inbox)]


def _sizes(paths: list[Path | InboxFile]) -> list[int]:
    sizes = []
    for item in paths:
        try:
            sizes.append((item.path if isinstance(item, InboxFile) else item).stat().st_size)
        except OSError:
            sizes.append(0)
    return sizes


def run_extraction(inbox: Path, out_dir: Path, quarantine_dir: Path | None = None,
                   mapper: Mapper | None = None) -> ExtractionSummary:
    """Extract the whole inbox into the staging CSVs, streaming: rows are written a batch of
    files at a time, never all held in memory. The listing's issues (entries that are not
    regular files, names that are not UTF-8) land in extraction_issues; an entry with an
    error counts as quarantined, though only regular files inside the inbox are copied."""
    started = time.perf_counter()
    listing = discover_documents(inbox)
    files = listing.files
    sizes = _sizes(files)
    mapper = mapper or default_mapper(sum(sizes))
    batches = plan_batches(files, sizes, batch_bytes_for(sum(sizes), mapper_workers(mapper)))
    if len(batches) < 2:
        mapper = in_process  # one batch runs on one process anyway: no pool to start
    quarantine_dir = quarantine_dir or out_dir.parent / "quarantine"
    sources = {item.name: item.path for item in files}
    quarantined = []
    progress = Progress("extracted", len(files), "files")  # on stderr, every tenth of the way
    with StagingLander(out_dir) as lander:
        lander.add_issues(listing.issues)
        refused = sorted({issue.source_file for issue in listing.issues if issue.severity == ERROR})
        lander.summary.files += len(refused)
        batches_rows = mapper(functools.partial(extract_batch, inbox=inbox), batches)
        try:
            for batch_rows in batches_rows:
                for result in batch_rows:
                    failures: list[ExtractionIssue] = []
                    quarantine([result], inbox, quarantine_dir, sources, failures)
                    lander.add_rows(result, failures)
                    if result.has_errors:
                        quarantined.append(result.source_file)
                    progress.advance()
        finally:
            close = getattr(batches_rows, "close", None)
            if close:
                close()  # a pool stops its workers now, not when the generator is collected
    summary = lander.summary
    summary.quarantined = sorted([*quarantined, *refused])
    summary.bytes_read = sum(sizes)
    summary.seconds = time.perf_counter() - started
    return summary
