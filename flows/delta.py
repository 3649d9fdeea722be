"""What changed since the published build, file by file: the input of an incremental build.

A nightly inbox of 100 000 forms mostly holds yesterday's files, so the warehouse is built by
what changed (docs/DESIGN.md §8a): the build starts from a copy of the published file and the
document-keyed dbt models delete and re-insert only the rows of changed documents.

What decides "changed" is what a file *lands*, not its bytes: the lander hashes each file's
rendered staging rows (`LandedFile.digest`). A file whose bytes are the same can still land
differently (it became a duplicate of an earlier file, a dbt test rejected one of its forms,
its first-seen stamp moved), and all of that is in the digest. The published build's digests
are recorded beside it in `published_inputs.json` (flows.inputs), with the project
fingerprint it was built with; the next run compares:

- no record, a record of another project fingerprint (models, seeds, macros, extractor,
  dbt arguments changed), a published file that is not the one recorded (a rollback, a copy
  by hand), or `force`: a **full** build into a new file, every row landed;
- otherwise an **incremental** build on a copy of the published file (the published run's
  kept build, moved into place when it is still as publishing left it, else a new copy): the
  staging CSVs hold
  only the changed files' rows, and `changed_documents.csv` names every form whose rows go
  (its old forms) or come (its new ones), and every changed or removed file.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

CHANGES_TABLE = "changed_documents"
CHANGE_COLUMNS = ("source_file", "doc_id", "source_sha256", "part_seq", "change")
OLD, NEW, FILE = "old", "new", "file"


@dataclass(frozen=True, slots=True)
class LandedFile:
    """What one inbox file landed: the hash of its rendered rows, its sha256 and its forms
    as (doc_id, part_seq) — the keys its rows carry in the warehouse —, its content id (for
    duplicates), whether it landed as a duplicate, and what it added to the run's counts. The
    last three let a night that finds the file unchanged count it without reading its rows."""

    digest: str
    source_sha256: str
    forms: tuple[tuple[str, str], ...]
    content_id: str = ""
    duplicate: bool = False
    counts: dict = field(default_factory=dict, hash=False, compare=False)

    def to_json(self) -> list:
        return [self.digest, self.source_sha256, [list(form) for form in self.forms], self.content_id,
                self.duplicate, self.counts]

    @classmethod
    def from_json(cls, value: list) -> LandedFile:
        digest, sha256, forms, content_id, duplicate, counts = value
        return cls(str(digest), str(sha256), tuple((str(doc_id), str(part)) for doc_id, part in forms),
                   str(content_id), bool(duplicate), dict(counts))


@dataclass(frozen=True, slots=True)
class DeltaBase:
    """The published build an incremental build starts from: its run and what it landed."""

    run_id: str
    published: Path
    files: dict[str, LandedFile]
    rejected: frozenset[str] = frozenset()  # the forms a dbt test had rejected when it was built
    # the run's kept build (builds/<run_id>.duckdb) when it is still as published and is not the
    # published file itself: the build moves it into place instead of copying the published file
    kept: Path | None = None
    # incremental nights built on one another since DuckDB last vacuumed (flows/load.py `vacuums`)
    nights_unvacuumed: int = 0


def digest_of(parts: Iterable[str | bytes]) -> str:
    """One hash of a file's rendered rows (text or its UTF-8 bytes: the same digest)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def files_to_json(files: Mapping[str, LandedFile]) -> dict[str, list]:
    return {name: files[name].to_json() for name in sorted(files)}


def files_from_json(value: object) -> dict[str, LandedFile] | None:
    if not isinstance(value, dict):
        return None
    try:
        return {str(name): LandedFile.from_json(item) for name, item in value.items()}
    except (TypeError, ValueError):
        return None


def change_rows(name: str, old: LandedFile | None, new: LandedFile | None) -> list[tuple[str, ...]]:
    """The `changed_documents` rows of one changed (or removed, `new` None) file: its old
    forms, its new ones, or the file alone when it has neither (only issue rows)."""
    rows = [(name, doc_id, old.source_sha256, part, OLD) for doc_id, part in old.forms] if old else []
    rows += [(name, doc_id, new.source_sha256, part, NEW) for doc_id, part in new.forms] if new else []
    return rows or [(name, "", "", "", FILE)]


def read_record(path: Path) -> dict | None:
    """The record of the published build (`published_inputs.json`, flows.inputs), None when
    missing or damaged. A night reads it three times (its base, whether anything changed, which
    run the published file is), and at 100 000 forms it is 11 MB of JSON (~0.5 s to parse): it
    is parsed once per version of the file (written whole and renamed in, so a new inode).
    Callers must not change what it returns."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _parsed_record(path, stat.st_ino, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=2)
def _parsed_record(path: Path, inode: int, size: int, mtime_ns: int) -> dict | None:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def delta_base(record_path: Path, published: Path, project: str,
               kept_of: Callable[[str], Path] | None = None) -> DeltaBase | None:
    """The published build to build on, or None for a full build (see the module doc);
    `kept_of` gives a run's kept build (flows.layout.WarehouseLayout.build_of)."""
    record = read_record(record_path)
    try:
        stat = published.stat()
    except OSError:
        return None
    if record is None or record.get("project") != project:
        return None
    if record.get("published") != [stat.st_size, stat.st_mtime_ns]:
        return None
    files = files_from_json(record.get("files"))
    if files is None or not record.get("run_id"):
        return None
    run_id = str(record["run_id"])
    boot = boot_id()
    kept = None
    if kept_of is not None and boot is not None and record.get("kept_boot") == boot:
        kept = _kept_as_published(kept_of(run_id), record.get("kept"), stat)
    unvacuumed = record.get("nights_unvacuumed")
    return DeltaBase(run_id, published, files, frozenset(record.get("rejected") or ()), kept,
                     unvacuumed if isinstance(unvacuumed, int) and unvacuumed >= 0 else 0)


BOOT_ID = Path("/proc/sys/kernel/random/boot_id")


def boot_id() -> str | None:
    """This boot of the machine (Linux), None where it cannot be told. A kept build is written
    without waiting for the disk (flows.publish `publish`); while the machine has not restarted,
    what a reader gets of it is what was written, and moving it flushes it first. After a
    restart (a crash among the reasons) it may not all have reached the disk: it is not moved
    then, the published file is copied instead."""
    try:
        return BOOT_ID.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def _kept_as_published(kept: Path, recorded: object, published: os.stat_result) -> Path | None:
    """`kept` if it is the file publishing left (the size and mtime recorded then), has no
    write-ahead log and is not the published file under another name (a hard link, left by a
    failed night: flows.publish.keep_published); else None."""
    try:
        stat = kept.stat()
    except OSError:
        return None
    if recorded != [stat.st_size, stat.st_mtime_ns] or os.path.samestat(stat, published):
        return None
    if kept.with_name(kept.name + ".wal").exists():
        return None
    return kept
