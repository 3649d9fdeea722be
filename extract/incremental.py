"""Incremental extraction: parse only new or changed files, re-land the rest from a cache.

A nightly inbox mostly holds yesterday's documents. The manifest remembers, per inbox path,
its size, mtime_ns and sha256; the cache keeps each file's extracted rows under its sha256.
For every file of the inbox:

- same size and mtime_ns as the manifest says: the cached rows are reused and the file is
  not even read;
- otherwise the file is read and hashed; a sha256 already in the cache (a touched, copied or
  renamed file) reuses the cached rows without parsing;
- otherwise the file is parsed with `extract.inbox.extract_paths` and its rows are cached.

The staging CSVs stay the DESIGN.md §3 contract: every run lands all six tables from the
current inbox (cached + fresh rows), atomically, so removed files drop out and duplicates
are resolved over the whole inbox exactly as a full extraction would.
"""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extract import EXTRACTOR_VERSION
from extract.inbox import (
    ExtractionSummary,
    FileRows,
    Mapper,
    StagingLander,
    batch_bytes_for,
    default_mapper,
    extract_paths,
    mapper_workers,
    plan_batches,
    quarantine,
    render_file,
)
from extract.records import STAGING_TABLES

MANIFEST_NAME = "manifest.json"
ROWS_FOLDER = "files"


@dataclass(frozen=True, slots=True)
class FileState:
    """What the manifest knows about one inbox file."""

    path: str
    size: int
    mtime_ns: int
    sha256: str


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

    @property
    def files_changed(self) -> int:
        return len(self.parsed)

    @property
    def files_quarantined(self) -> int:
        return len(self.quarantined)


def sha256_of(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def write_json_atomic(target: Path, payload: object) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(payload, stream, ensure_ascii=False)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class ExtractionCache:
    """The manifest (path → size, mtime_ns, sha256) and the per-file row cache (sha256 → rows)."""

    def __init__(self, cache_dir: Path):
        self.cache_dir = cache_dir
        self.manifest_path = cache_dir / MANIFEST_NAME
        self.rows_dir = cache_dir / ROWS_FOLDER
        self.current = False  # the manifest (and so the cached rows) are of this extractor version

    def load_manifest(self) -> dict[str, FileState]:
        try:
            payload = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        if payload.get("extractor_version") != EXTRACTOR_VERSION:
            return {}
        self.current = True
        return {entry["path"]: FileState(**entry) for entry in payload.get("files", [])}

    def load_landed(self) -> dict | None:
        """What the last refresh landed: inbox fingerprint, CSV sizes/mtimes, summary counts."""
        try:
            payload = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if payload.get("extractor_version") != EXTRACTOR_VERSION:
            return None
        return payload.get("landed")

    def save_manifest(self, states: dict[str, FileState], landed: dict | None = None) -> None:
        write_json_atomic(self.manifest_path, {
            "extractor_version": EXTRACTOR_VERSION,
            "files": [asdict(states[name]) for name in sorted(states)],
            "landed": landed,
        })

    def _rows_path(self, sha256: str) -> Path:
        return self.rows_dir / f"{sha256}.json"

    def has(self, sha256: str) -> bool:
        """Rows cached for this content (by this extractor version: see `load_manifest`)."""
        return self.current and self._rows_path(sha256).exists()

    def get(self, sha256: str, source_file: str) -> FileRows | None:
        """The cached rows of a file's content, relabelled with the name it has now."""
        try:
            payload = json.loads(self._rows_path(sha256).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if payload.pop("extractor_version", None) != EXTRACTOR_VERSION:
            return None
        try:
            file_rows = FileRows(**payload)
        except TypeError:
            return None
        if file_rows.source_file != source_file:
            file_rows = _renamed(file_rows, source_file)
        return file_rows

    def put(self, sha256: str, file_rows: FileRows) -> None:
        write_json_atomic(self._rows_path(sha256), {"extractor_version": EXTRACTOR_VERSION, **asdict(file_rows)})

    def prune(self, keep: set[str]) -> None:
        """Drop cached rows of contents no longer in the inbox."""
        if not self.rows_dir.exists():
            return
        for cached in self.rows_dir.glob("*.json"):
            if cached.stem not in keep:
                cached.unlink(missing_ok=True)


# where `source_file` sits in the tables that carry it
_SOURCE_FILE_COLUMN = {"documents": 1, "extraction_issues": 0}


def _renamed(file_rows: FileRows, source_file: str) -> FileRows:
    """The same content under another name: only `source_file` cells change."""
    for table, column in _SOURCE_FILE_COLUMN.items():
        rows = list(csv.reader(io.StringIO(file_rows.csv[table], newline="")))
        for row in rows:
            row[column] = source_file
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        file_rows.csv[table] = buffer.getvalue()
    file_rows.source_file = source_file
    return file_rows


def parse_and_cache(items: list[tuple[Path, str | None]], inbox: Path, cache_dir: Path) -> list[FileRows]:
    """Parse a batch of (path, sha256), render the rows and cache them under the sha256 (a
    picklable unit of work: it runs in a worker process or on a Dask worker)."""
    cache = ExtractionCache(cache_dir)
    results = [render_file(result) for result in extract_paths([path for path, _ in items], inbox)]
    for (_, sha256), result in zip(items, results, strict=True):
        if sha256:
            cache.put(sha256, result)
    return results


@dataclass(frozen=True, slots=True)
class _Planned:
    name: str
    path: Path
    state: FileState | None  # None: the file could not be stat'ed or hashed
    action: str  # stat | hash | parse


def _plan(paths: list[Path], inbox: Path, cache: ExtractionCache, previous: dict[str, FileState],
          summary: IncrementalSummary) -> list[_Planned]:
    """What to do with each file, reading only files whose size or mtime changed."""
    plan = []
    for path in paths:
        name = path.relative_to(inbox).as_posix()
        try:
            stat = path.stat()
        except OSError:
            stat = None
        known = previous.get(name)
        if stat is not None and known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns) \
                and cache.has(known.sha256):
            plan.append(_Planned(name, path, known, "stat"))
            summary.reused_by_stat.append(name)
            continue
        try:
            sha256 = sha256_of(path)
        except OSError:
            # extract_paths turns the unreadable file into an error issue; nothing to remember
            plan.append(_Planned(name, path, None, "parse"))
            summary.parsed.append(name)
            continue
        state = FileState(name, stat.st_size, stat.st_mtime_ns, sha256)
        if cache.has(sha256):
            plan.append(_Planned(name, path, state, "hash"))
            summary.reused_by_hash.append(name)
        else:
            plan.append(_Planned(name, path, state, "parse"))
            summary.parsed.append(name)
    return plan


def inbox_fingerprint(plan_states: list[tuple[str, str]]) -> str:
    """One hash of (path, content sha256) of every inbox file and the extractor version:
    equal fingerprints mean byte-identical staging CSVs (extraction is deterministic)."""
    payload = json.dumps([EXTRACTOR_VERSION, sorted(plan_states)], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _csv_stats(staging_dir: Path) -> dict[str, list[int]]:
    stats = {}
    for table in STAGING_TABLES:
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
    return summary


def refresh_staging(paths: list[Path], inbox: Path, staging_dir: Path, quarantine_dir: Path,
                    cache_dir: Path | None = None, mapper: Mapper | None = None,
                    batch_bytes: int | None = None) -> IncrementalSummary:
    """Bring the staging CSVs up to date with the inbox, parsing only what changed.

    All six tables are re-landed (atomically, one file at a time) from cached and fresh rows,
    streaming: one batch of files' rows in memory at a time. Changed files are parsed in
    batches through `mapper` (default: in-process for a small inbox, a process pool for a
    large one; the Prefect flow passes its task runner) of `batch_bytes` (default: sized for
    the mapper's workers, see `batch_bytes_for`). Newly parsed files with an `error`
    issue are copied to the quarantine folder, and every file with an error counts as
    quarantined. When the inbox holds exactly the files (names and contents) of the last
    refresh and the CSVs it landed are still in place, nothing is re-landed:
    `staging_unchanged` is true.
    """
    cache = ExtractionCache(cache_dir or staging_dir / ".incremental")
    previous = cache.load_manifest()
    summary = IncrementalSummary(extraction=ExtractionSummary(), files_seen=len(paths))
    plan = _plan(paths, inbox, cache, previous, summary)
    states = {item.name: item.state for item in plan if item.state is not None}
    summary.removed = sorted(set(previous) - set(states))
    fingerprint = inbox_fingerprint([(item.name, item.state.sha256 if item.state else "") for item in plan])
    landed = cache.load_landed()
    if (landed and landed.get("fingerprint") == fingerprint and landed.get("csv_stats") == _csv_stats(staging_dir)
            and not summary.parsed):
        cache.save_manifest(states, landed)
        return _unchanged_summary(landed, summary)

    to_parse = [item for item in plan if item.action == "parse"]
    items = [(item.path, item.state.sha256 if item.state else None) for item in to_parse]
    sizes = [item.state.size if item.state else 0 for item in to_parse]
    mapper = mapper or default_mapper(sum(sizes))
    batches = plan_batches(items, sizes, batch_bytes or batch_bytes_for(sum(sizes), mapper_workers(mapper)))
    parsed = (result for results in mapper(functools.partial(parse_and_cache, inbox=inbox, cache_dir=cache.cache_dir),
                                           batches) for result in results)
    quarantined = []
    with StagingLander(staging_dir) as lander:
        for item in plan:
            result = None if item.action == "parse" else cache.get(item.state.sha256, item.name)
            if result is None and item.action != "parse":
                # a cache entry that vanished or broke since planning: parse it here
                result = parse_and_cache([(item.path, item.state.sha256)], inbox, cache.cache_dir)[0]
            elif result is None:
                result = next(parsed)
                quarantine([result], inbox, quarantine_dir)
            lander.add_rows(result)
            if result.has_errors:
                quarantined.append(result.source_file)
    summary.quarantined = quarantined
    summary.extraction = lander.summary
    summary.extraction.quarantined = quarantined
    summary.fingerprint = fingerprint
    cache.save_manifest(states, {"fingerprint": fingerprint, "csv_stats": _csv_stats(staging_dir),
                                 "summary": _summary_json(summary)})
    cache.prune({state.sha256 for state in states.values()})
    return summary
