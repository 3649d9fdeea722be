"""Incremental extraction: parse only new or changed files, re-land the rest from a cache.

A nightly inbox mostly holds yesterday's documents. The manifest remembers, per inbox path,
its size, mtime_ns, ctime_ns and the sha256 of the bytes last parsed; the cache keeps each
file's extracted (and screened, see expectations.document_gate) rows under that sha256
(both in flows.extraction_cache). For every file of the inbox:

- same size, mtime_ns and ctime_ns as the manifest says: the cached rows are reused and the
  file is not even read (ctime cannot be set back by a user, so an edit whose mtime was
  restored is still seen);
- otherwise the file is read and hashed; a sha256 already in the cache (a touched, copied or
  renamed file) reuses the cached rows without parsing;
- otherwise the file is parsed and its rows cached under the sha256 of the very bytes that
  were parsed (a file rewritten between hashing and parsing is cached under its new content).

The cache is only valid for one `cache_version()` of flows.extraction_cache (the extractor's
code and seeds, and the document gate's checks): any change re-extracts everything, and
`force` does too.

Files over `max_file_bytes`, files that vanish or cannot be read, and entries the inbox
listing refused (flows.inbox.discover_documents) each land as an `extraction_issues` row;
none of them raises.

The staging CSVs stay the DESIGN.md §3 contract: every run lands the tables from the current
inbox (cached + fresh rows), atomically, and duplicates are resolved over the whole inbox
exactly as a full extraction would. Forms a dbt test rejected (flows.attribution) are dropped
at landing with their issue rows. Given the published build's landed files (`base`, see
flows.delta) only the files whose rows changed are written, with `changed_documents.csv`
naming the forms and files an incremental build replaces or removes.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import stat
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from expectations.document_gate import load_document_gate
from extract.file_rows import FileRows, doc_ids_of, drop_documents, render_file, with_first_seen
from extract.pipeline import ERROR, FileExtraction, extract_file
from extract.records import STAGING_TABLES, ExtractionIssue
from flows.delta import CHANGES_TABLE, DeltaBase, LandedFile, files_from_json, files_to_json
from flows.extraction_cache import ExtractionCache, FileState
from flows.inbox import InboxFile, InboxListing, read_regular_file
from flows.landing import StagingLander
from flows.pool import Mapper, batch_bytes_for, default_mapper, mapper_workers, plan_batches
from flows.progress import Progress
from flows.quarantine import quarantine
from flows.summary import ExtractionSummary

DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024
VANISHED = "the file was removed while the load ran; it loads on the next run if it is back"


def max_file_bytes_setting() -> int:
    """$PERFBUDGET_MAX_FILE_MB (default 64): larger files are quarantined unread."""
    return int(float(os.environ.get("PERFBUDGET_MAX_FILE_MB", DEFAULT_MAX_FILE_BYTES / 2**20)) * 2**20)


@dataclass(slots=True)
class IncrementalSummary:
    """What one incremental refresh did, on top of the usual extraction summary."""

    extraction: ExtractionSummary
    files_seen: int = 0
    parsed: list[str] = field(default_factory=list)
    reused_by_stat: list[str] = field(default_factory=list)
    reused_by_hash: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    quarantined: list[str] = field(default_factory=list)
    fingerprint: str = ""  # inbox_fingerprint: same value, same staging CSVs
    staging_unchanged: bool = False  # nothing changed: the CSVs of the last refresh were kept
    cache_warnings: list[str] = field(default_factory=list)  # a corrupt manifest, healed
    landed_files: dict[str, LandedFile] = field(default_factory=dict)  # every file's landed rows (flows.delta)
    base_run: str | None = None  # the published run the staging CSVs are a delta against; None: all rows
    changed_files: list[str] = field(default_factory=list)  # delta: the files whose rows were written or removed

    @property
    def files_changed(self) -> int:
        return len(self.parsed)

    @property
    def files_quarantined(self) -> int:
        return len(self.quarantined)


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    """The sha256 of a regular file, streamed (opened without blocking, like
    `read_regular_file`, so an entry swapped for a FIFO since the listing cannot hang the load)."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    digest = hashlib.sha256()
    with os.fdopen(descriptor, "rb") as stream:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        while chunk := stream.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def utc_iso(ns: int | None = None) -> str:
    moment = datetime.now(UTC) if ns is None else datetime.fromtimestamp(ns / 1e9, UTC)
    return moment.isoformat(timespec="milliseconds")


def issue_rows(name: str, code: str, message: str) -> FileRows:
    """A file that gives no rows, only its error issue."""
    result = FileExtraction(source_file=name, source_sha256="")
    result.issues.append(ExtractionIssue(name, "", ERROR, code, message, None))
    return render_file(result)


def screened(result: FileExtraction) -> FileRows:
    """A parsed file's rows, with the forms that break a staging row check dropped."""
    return load_document_gate().screen(render_file(result))


def parse_and_cache(items: list[tuple[Path, str]], cache_dir: Path, version: str) -> list[FileRows]:
    """Read, parse, screen and cache a batch of (path, inbox name): a picklable unit of work
    (it runs in a worker process or on a Dask worker). The rows are cached under the sha256
    of the bytes that were parsed."""
    cache = ExtractionCache(cache_dir, version)
    results = []
    for path, name in items:
        try:
            data = read_regular_file(path)
        except FileNotFoundError:
            results.append(issue_rows(name, "file_vanished", VANISHED))
            continue
        except OSError as err:
            results.append(issue_rows(name, "unreadable_file", f"the file cannot be read: {err.strerror or err}"))
            continue
        file_rows = screened(extract_file(name, data))
        cache.put(file_rows.source_sha256, file_rows)
        results.append(file_rows)
    return results


@dataclass(frozen=True, slots=True)
class _Planned:
    name: str
    path: Path
    stat: os.stat_result | None
    state: FileState | None  # known content (action stat or hash)
    action: str  # stat | hash | parse | issue
    issue: FileRows | None = None


def _plan(files: list[InboxFile], cache: ExtractionCache, previous: dict[str, FileState],
          summary: IncrementalSummary, force: bool, max_bytes: int) -> list[_Planned]:
    """What to do with each file, reading only files whose size, mtime or ctime changed."""
    plan = []
    for item in files:
        name, path = item.name, item.path
        try:
            stat = path.stat()
        except FileNotFoundError:
            plan.append(_Planned(name, path, None, None, "issue", issue_rows(name, "file_vanished", VANISHED)))
            continue
        except OSError as err:
            plan.append(_Planned(name, path, None, None, "issue", issue_rows(
                name, "unreadable_file", f"the file cannot be read: {err.strerror or err}")))
            continue
        if stat.st_size > max_bytes:
            plan.append(_Planned(name, path, stat, None, "issue", issue_rows(
                name, "file_too_large",
                f"{stat.st_size / 2**20:.2f} MB is over the {max_bytes / 2**20:.3g} MB limit of one document; "
                "it was not read (raise PERFBUDGET_MAX_FILE_MB if it really is one form)")))
            continue
        known = previous.get(name)
        if (not force and known and (known.size, known.mtime_ns, known.ctime_ns)
                == (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns) and cache.has(known.sha256)):
            plan.append(_Planned(name, path, stat, known, "stat"))
            summary.reused_by_stat.append(name)
            continue
        if force:
            plan.append(_Planned(name, path, stat, None, "parse"))
            summary.parsed.append(name)
            continue
        try:
            sha256 = sha256_of(path)
        except OSError:
            plan.append(_Planned(name, path, stat, None, "parse"))  # the worker reports it
            summary.parsed.append(name)
            continue
        if cache.has(sha256):
            state = FileState(name, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, sha256)
            plan.append(_Planned(name, path, stat, state, "hash"))
            summary.reused_by_hash.append(name)
        else:
            plan.append(_Planned(name, path, stat, None, "parse"))
            summary.parsed.append(name)
    return plan


def inbox_fingerprint(plan_states: list[tuple[str, str]], version: str, rejected: list[str] = ()) -> str:
    """One hash of (path, content sha256) of every inbox file, the cache version and the
    rejected forms: equal fingerprints mean byte-identical staging CSVs."""
    payload = json.dumps([version, sorted(plan_states), sorted(rejected)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _csv_stats(staging_dir: Path) -> dict[str, list[int]]:
    stats = {}
    for table in (*STAGING_TABLES, CHANGES_TABLE):
        try:
            stat = (staging_dir / f"{table}.csv").stat()
        except OSError:
            continue
        stats[table] = [stat.st_size, stat.st_mtime_ns]
    return stats


def _summary_json(summary: IncrementalSummary) -> dict:
    extraction = summary.extraction
    return {"files": extraction.files, "forms_by_type": dict(extraction.forms_by_type),
            "indicator_rows": extraction.indicator_rows, "budget_lines": extraction.budget_lines,
            "narratives": extraction.narratives, "report_facts": extraction.report_facts,
            "errors": extraction.errors, "warnings": extraction.warnings, "quarantined": summary.quarantined}


def _unchanged_summary(landed: dict, summary: IncrementalSummary) -> IncrementalSummary:
    counts = landed["summary"]
    summary.extraction = ExtractionSummary(
        files=counts["files"], forms_by_type=Counter(counts["forms_by_type"]),
        indicator_rows=counts["indicator_rows"], budget_lines=counts["budget_lines"],
        narratives=counts["narratives"], report_facts=counts["report_facts"], errors=counts["errors"],
        warnings=counts["warnings"], quarantined=list(counts["quarantined"]))
    summary.quarantined = list(counts["quarantined"])
    summary.fingerprint = landed["fingerprint"]
    summary.staging_unchanged = True
    summary.landed_files = files_from_json(landed.get("files")) or {}
    summary.base_run = landed.get("base")
    summary.changed_files = list(landed.get("changed_files") or [])
    return summary


def _as_listing(inbox_files: InboxListing | list[Path], inbox: Path) -> InboxListing:
    """Callers may pass a bare list of paths (tests, the bench) instead of a listing."""
    if isinstance(inbox_files, InboxListing):
        return inbox_files
    return InboxListing([InboxFile(path, path.relative_to(inbox).as_posix()) for path in inbox_files], [])


def refresh_staging(inbox_files: InboxListing | list[Path], inbox: Path, staging_dir: Path, quarantine_dir: Path,
                    cache_dir: Path | None = None, mapper: Mapper | None = None,
                    batch_bytes: int | None = None, *, force: bool = False, max_file_bytes: int | None = None,
                    rejections: Mapping[str, list[ExtractionIssue]] | None = None,
                    base: DeltaBase | None = None,
                    on_relanding: Callable[[], None] | None = None) -> IncrementalSummary:
    """Bring the staging CSVs up to date with the inbox, parsing only what changed.

    All tables are re-landed (atomically, one file at a time) from cached and fresh rows,
    streaming: one batch of files' rows in memory at a time. Changed files are parsed in
    batches through `mapper` (default: in-process for a small inbox, a process pool for a
    large one; the Prefect flow passes its task runner) of `batch_bytes` (default: sized for
    the mapper's workers, see `batch_bytes_for`). Files with an `error` issue are copied to
    the quarantine folder when they are first parsed (or rejected), and every file with an
    error counts as quarantined. `rejections` (doc id → error issues) are forms a dbt test
    rejected: dropped at landing. When the inbox holds exactly the files (names and
    contents) of the last refresh and the CSVs it landed are still in place, nothing is
    re-landed: `staging_unchanged` is true. `force` re-extracts every file. With `base` (the
    published build, flows.delta) the CSVs hold only the files whose landed rows changed.
    `on_relanding` is called once the CSVs are found to need landing again (something in the
    inbox changed), before any file is parsed: the nightly load then starts the copy of the
    published warehouse that an incremental build starts from, alongside the parsing.
    """
    listing = _as_listing(inbox_files, inbox)
    rejections = dict(rejections or {})
    cache = ExtractionCache(cache_dir or staging_dir / ".incremental")
    previous = cache.load_manifest()
    summary = IncrementalSummary(extraction=ExtractionSummary(), files_seen=len(listing.files))
    plan = _plan(listing.files, cache, previous, summary, force,
                 max_file_bytes if max_file_bytes is not None else max_file_bytes_setting())
    summary.cache_warnings = list(cache.warnings)
    listed_names = {item.name for item in plan}
    summary.removed = sorted(set(previous) - listed_names)
    def fingerprint_of(states: Mapping[str, FileState]) -> str:
        return inbox_fingerprint(
            [(item.name, states[item.name].sha256 if item.name in states else f"!{item.action}") for item in plan]
            + [(issue.source_file, f"!{issue.code}") for issue in listing.issues],
            cache.version, list(rejections))

    landed = cache.load_landed()
    known = {item.name: item.state for item in plan if item.state}
    base_run = base.run_id if base else None
    if (not summary.parsed and not force and landed and landed.get("fingerprint") == fingerprint_of(known)
            and landed.get("csv_stats") == _csv_stats(staging_dir) and landed.get("base") == base_run
            and landed.get("files") is not None):
        cache.save_manifest(known, cache.first_seen(), landed)
        return _unchanged_summary(landed, summary)
    if on_relanding is not None:
        on_relanding()

    to_parse = [item for item in plan if item.action == "parse"]
    items = [(item.path, item.name) for item in to_parse]
    sizes = [item.stat.st_size if item.stat else 0 for item in to_parse]
    mapper = mapper or default_mapper(sum(sizes))
    batches = plan_batches(items, sizes, batch_bytes or batch_bytes_for(sum(sizes), mapper_workers(mapper)))
    parse = functools.partial(parse_and_cache, cache_dir=cache.cache_dir, version=cache.version)
    batch_results = mapper(parse, batches)
    parsed = (result for results in batch_results for result in results)
    try:
        return _land(plan, listing, parsed, parse, cache, inbox, staging_dir, quarantine_dir, rejections, summary,
                     fingerprint_of, base)
    finally:
        getattr(batch_results, "close", lambda: None)()  # a pool stops at once, even on an exception


def _land(plan: list[_Planned], listing: InboxListing, parsed, parse, cache: ExtractionCache, inbox: Path,
          staging_dir: Path, quarantine_dir: Path, rejections: Mapping[str, list[ExtractionIssue]],
          summary: IncrementalSummary, fingerprint_of, base: DeltaBase | None = None) -> IncrementalSummary:
    """Land every planned file in inbox order (parsed ones as their batches come back), stamp
    first-seen times, drop rejected forms, quarantine new errors; then save the manifest."""
    run_started = utc_iso()
    old_seen = cache.first_seen()
    first_seen: dict[str, list[str]] = {}
    states: dict[str, FileState] = {}
    quarantined = []
    progress = Progress("extracted", sum(1 for item in plan if item.action == "parse"), "changed files")
    # a delta landing counts a file the published build landed exactly so from its record,
    # without reading its rows (a night with 1 % changed reads 1 % of the cache)
    may_skip = base is not None and set(rejections) == set(base.rejected)
    with StagingLander(staging_dir, base.files if base else None) as lander:
        for item in plan:
            if may_skip and item.action in ("stat", "hash") and _count_unchanged(item, lander, old_seen, first_seen):
                states[item.name] = item.state
                if lander.landed[item.name].counts.get("has_errors"):
                    quarantined.append(item.name)
                continue
            fresh = item.action == "parse"
            if item.action == "issue":
                result = item.issue
            elif fresh:
                result = next(parsed)
                progress.advance()
            else:
                result = cache.get(item.state.sha256, item.name)
                if result is None:  # a cache entry that vanished or broke since planning: parse it here
                    result, fresh = parse(items=[(item.path, item.name)])[0], True
            if result.source_sha256 and item.stat is not None:
                states[item.name] = FileState(item.name, item.stat.st_size, item.stat.st_mtime_ns,
                                              item.stat.st_ctime_ns, result.source_sha256)
            if result.content_id and result.rows["documents"]:
                seen = first_seen.get(result.content_id) or old_seen.get(result.content_id) \
                    or [run_started, utc_iso(item.stat.st_mtime_ns) if item.stat else ""]
                first_seen[result.content_id] = seen
                result = with_first_seen(result, *seen)
            rejected_here = _rejected_in(result, rejections)
            if rejected_here:
                result = drop_documents(result, rejected_here)
            failures: list[ExtractionIssue] = []
            if (fresh or rejected_here) and result.has_errors and item.action != "issue":
                quarantine([result], inbox, quarantine_dir, sources={item.name: item.path}, failures=failures)
            lander.add_rows(result, failures)
            if result.has_errors:
                quarantined.append(result.source_file)
        lander.add_issues(listing.issues)
        quarantined += [issue.source_file for issue in listing.issues if issue.severity == ERROR]
    summary.quarantined = quarantined
    summary.extraction = lander.summary
    summary.extraction.quarantined = quarantined
    summary.fingerprint = fingerprint = fingerprint_of(states)
    summary.landed_files = lander.landed
    summary.base_run = base.run_id if base else None
    summary.changed_files = lander.changed_files
    cache.save_manifest(states, first_seen, {"fingerprint": fingerprint, "csv_stats": _csv_stats(staging_dir),
                                             "summary": _summary_json(summary), "base": summary.base_run,
                                             "files": files_to_json(lander.landed),
                                             "changed_files": lander.changed_files})
    cache.prune({state.sha256 for state in states.values()})
    return summary


def _count_unchanged(item: _Planned, lander: StagingLander, old_seen: Mapping[str, list[str]],
                     first_seen: dict[str, list[str]]) -> bool:
    """Count `item` from the published build's record when it lands exactly as then: same
    bytes, still the first of its content, its first-seen stamp known (so the rows would be
    stamped the same)."""
    old = lander.may_skip(item.name, item.state.sha256)
    if old is None:
        return False
    if old.content_id and old.forms:
        stamp = first_seen.get(old.content_id) or old_seen.get(old.content_id)
        if not stamp:
            return False
        first_seen[old.content_id] = stamp
    lander.add_unchanged(item.name, old)
    return True


def _rejected_in(file_rows: FileRows, rejections: Mapping[str, list[ExtractionIssue]]) -> dict:
    if not rejections or not file_rows.rows["documents"]:
        return {}
    return {doc_id: rejections[doc_id] for doc_id in doc_ids_of(file_rows) if doc_id in rejections}
