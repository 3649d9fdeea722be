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

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from extract import EXTRACTOR_VERSION
from extract.inbox import ExtractionSummary, drop_duplicates, extract_paths, land, quarantine, summarise
from extract.pipeline import FileExtraction
from extract.records import STAGING_TABLES
from extract.taxonomy import Taxonomy, load_taxonomy

MANIFEST_NAME = "manifest.json"
ROWS_FOLDER = "files"
_ROW_ATTRS = {"documents": "documents", "narratives": "narratives", "budget_lines": "budget_lines",
              "indicators": "indicators", "report_facts": "report_facts", "extraction_issues": "issues"}


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


def _write_json_atomic(target: Path, payload: object) -> None:
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

    def load_manifest(self) -> dict[str, FileState]:
        try:
            payload = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return {}
        if payload.get("extractor_version") != EXTRACTOR_VERSION:
            return {}
        return {entry["path"]: FileState(**entry) for entry in payload.get("files", [])}

    def save_manifest(self, states: dict[str, FileState]) -> None:
        _write_json_atomic(self.manifest_path, {
            "extractor_version": EXTRACTOR_VERSION,
            "files": [asdict(states[name]) for name in sorted(states)],
        })

    def _rows_path(self, sha256: str) -> Path:
        return self.rows_dir / f"{sha256}.json"

    def get(self, sha256: str, source_file: str) -> FileExtraction | None:
        """The cached rows of a file's content, relabelled with the name it has now."""
        try:
            payload = json.loads(self._rows_path(sha256).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if payload.get("extractor_version") != EXTRACTOR_VERSION:
            return None
        result = FileExtraction(source_file=payload["source_file"], source_sha256=payload["source_sha256"],
                                content_id=payload["content_id"])
        for table, attr in _ROW_ATTRS.items():
            record_type = STAGING_TABLES[table]
            setattr(result, attr, [record_type(**row) for row in payload[table]])
        if result.source_file != source_file:
            result = _renamed(result, source_file)
        return result

    def put(self, sha256: str, result: FileExtraction) -> None:
        payload = {"extractor_version": EXTRACTOR_VERSION, "source_file": result.source_file,
                   "source_sha256": result.source_sha256, "content_id": result.content_id}
        for table, attr in _ROW_ATTRS.items():
            payload[table] = [asdict(row) for row in getattr(result, attr)]
        _write_json_atomic(self._rows_path(sha256), payload)

    def prune(self, keep: set[str]) -> None:
        """Drop cached rows of contents no longer in the inbox."""
        if not self.rows_dir.exists():
            return
        for cached in self.rows_dir.glob("*.json"):
            if cached.stem not in keep:
                cached.unlink(missing_ok=True)


def _renamed(result: FileExtraction, source_file: str) -> FileExtraction:
    result.source_file = source_file
    result.documents = [replace(doc, source_file=source_file) for doc in result.documents]
    result.issues = [replace(issue, source_file=source_file) for issue in result.issues]
    return result


def extract_changed(paths: list[Path], inbox: Path, cache: ExtractionCache,
                    taxonomy: Taxonomy | None = None) -> tuple[list[FileExtraction], IncrementalSummary]:
    """Each path's rows, parsing only files whose content the cache has not seen."""
    previous = cache.load_manifest()
    states: dict[str, FileState] = {}
    results: list[FileExtraction] = []
    summary = IncrementalSummary(extraction=ExtractionSummary(), files_seen=len(paths))
    for path in paths:
        name = path.relative_to(inbox).as_posix()
        try:
            stat = path.stat()
        except OSError:
            stat = None
        known = previous.get(name)
        if stat is not None and known and (known.size, known.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            cached = cache.get(known.sha256, name)
            if cached is not None:
                results.append(cached)
                states[name] = known
                summary.reused_by_stat.append(name)
                continue
        try:
            sha256 = sha256_of(path)
        except OSError:
            # extract_paths turns the unreadable file into an error issue; nothing to remember
            results.extend(extract_paths([path], inbox, taxonomy))
            summary.parsed.append(name)
            continue
        state = FileState(name, stat.st_size, stat.st_mtime_ns, sha256)
        cached = cache.get(sha256, name)
        if cached is not None:
            summary.reused_by_hash.append(name)
        else:
            taxonomy = taxonomy or load_taxonomy()
            cached = extract_paths([path], inbox, taxonomy)[0]
            cache.put(sha256, cached)
            summary.parsed.append(name)
        results.append(cached)
        states[name] = state
    summary.removed = sorted(set(previous) - set(states))
    cache.save_manifest(states)
    cache.prune({state.sha256 for state in states.values()})
    return results, summary


def refresh_staging(paths: list[Path], inbox: Path, staging_dir: Path, quarantine_dir: Path,
                    cache_dir: Path | None = None) -> IncrementalSummary:
    """Bring the staging CSVs up to date with the inbox, parsing only what changed.

    All six tables are re-landed (atomically, one file at a time) from cached and fresh rows;
    newly parsed files with an `error` issue are copied to the quarantine folder, and every
    file with an error counts as quarantined.
    """
    cache = ExtractionCache(cache_dir or staging_dir / ".incremental")
    results, summary = extract_changed(paths, inbox, cache)
    drop_duplicates(results)
    land(results, staging_dir)
    parsed = set(summary.parsed)
    quarantine([r for r in results if r.source_file in parsed], inbox, quarantine_dir)
    summary.quarantined = [r.source_file for r in results if r.has_errors]
    summary.extraction = summarise(results)
    summary.extraction.quarantined = summary.quarantined
    return summary
