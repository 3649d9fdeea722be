"""Inbox → staging: extract every document, land the staging CSVs, quarantine bad files.

This is the I/O edge around `pipeline.extract_file`: it lists the inbox, reads bytes, copies
files with an `error` issue to the quarantine folder, and writes the six staging tables.
"""

from __future__ import annotations

import errno
import filecmp
import functools
import logging
import multiprocessing
import os
import shutil
import signal
import stat
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from extract.file_rows import FileRows, render_file
from extract.pipeline import ERROR, WARNING, FileExtraction, extract_file
from extract.records import STAGING_TABLES, ExtractionIssue
from extract.staging import TableWriter
from extract.taxonomy import Taxonomy, load_taxonomy

SUPPORTED_SUFFIXES = frozenset({".txt"})
logger = logging.getLogger(__name__)


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


# --- discovery: every entry of the inbox gets an answer ----------------------------------


@dataclass(frozen=True, slots=True)
class InboxFile:
    """A document of the inbox: `path` is what to open, `name` what the rows call it."""

    path: Path  # the path to open (the real name on disk, whatever its bytes)
    name: str  # inbox-relative POSIX name, always valid UTF-8 (what goes into source_file)


@dataclass(slots=True)
class InboxListing:
    """What `discover_documents` found: the files to extract, and one issue per entry that
    is not a regular file the load may read (plus a warning per file whose name is not UTF-8)."""

    files: list[InboxFile] = field(default_factory=list)  # sorted by name
    issues: list[ExtractionIssue] = field(default_factory=list)  # sorted by source_file

    @property
    def paths(self) -> list[Path]:
        return [item.path for item in self.files]


_SPECIAL_KINDS = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"),
                  (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _kind_of(mode: int) -> str:
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a file or folder")


def _printable(text: str) -> str:
    """A file system string for a message: a name that is not UTF-8 shows every non-ASCII byte
    as \\xNN (decoding what happens to be valid UTF-8 in it would mix two readings)."""
    data = os.fsencode(text)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return "".join(chr(byte) if byte < 0x80 else f"\\x{byte:02x}" for byte in data)


def display_part(part: str) -> tuple[str, bool]:
    """(the UTF-8 name of one path component, whether its bytes were UTF-8). A name that is
    not UTF-8 (Linux hands it over with surrogate escapes) is read as GB18030 — what a zip
    made on a Chinese Windows holds — else with U+FFFD for the bytes that make no sense."""
    try:
        part.encode("utf-8")
        return part, True
    except UnicodeEncodeError:
        raw = os.fsencode(part)
    try:
        return raw.decode("gb18030"), False
    except UnicodeDecodeError:
        return raw.decode("utf-8", errors="replace"), False


def _inside(path: str, root: str) -> bool:
    try:
        return os.path.commonpath([root, path]) == root
    except ValueError:
        return False


class _Walk:
    """One walk of the inbox (see `discover_documents`)."""

    def __init__(self, inbox: Path, root_real: str):
        self.inbox = inbox
        self.root_real = root_real
        self.files: list[tuple[str, str, Path]] = []  # (display name, raw relative name, path)
        self.issues: list[ExtractionIssue] = []

    @staticmethod
    def display(parts: tuple[str, ...]) -> str:
        return "/".join(display_part(part)[0] for part in parts)

    def issue(self, parts: tuple[str, ...], code: str, message: str) -> None:
        self.issues.append(ExtractionIssue(self.display(parts), "", ERROR, code, message, None))

    def run(self, top: list[os.DirEntry]) -> None:
        pending = [((), top, frozenset({self.root_real}))]
        while pending:
            parts, entries, ancestors = pending.pop()
            for entry in entries:
                if entry.name.startswith("."):
                    continue  # hidden files and folders (.DS_Store, .git, editors' temp files)
                entry_parts = (*parts, entry.name)
                try:
                    folder = self.entry(entry, entry_parts, ancestors)
                except Exception as err:  # noqa: BLE001 - one odd entry never stops the listing
                    self.issue(entry_parts, "unreadable_entry",
                               f"cannot be examined ({_reason(err)}): not loaded; check the entry and its permissions")
                    continue
                if folder is not None:
                    path, real = folder
                    listed = self.list_folder(path, entry_parts)
                    if listed is not None:
                        pending.append((entry_parts, listed, ancestors | {real}))

    def list_folder(self, path: str, parts: tuple[str, ...]) -> list[os.DirEntry] | None:
        try:
            with os.scandir(path) as listing:
                return list(listing)
        except OSError as err:
            self.issue(parts, "unreadable_folder",
                       f"the folder cannot be listed ({_reason(err)}): the documents in it are not loaded; "
                       "give the load permission to read and enter it")
            return None

    def entry(self, entry: os.DirEntry, parts: tuple[str, ...],
              ancestors: frozenset[str]) -> tuple[str, str] | None:
        """Record a file or an issue; return (path, real path) of a folder to walk into."""
        if entry.is_symlink():
            return self.symlink(entry, parts, ancestors)
        if entry.is_dir(follow_symlinks=False):
            return entry.path, os.path.realpath(entry.path)
        if entry.is_file(follow_symlinks=False):
            self.add_file(parts, entry.path)
            return None
        mode = entry.stat(follow_symlinks=False).st_mode
        self.not_regular(parts, mode)
        return None

    def not_regular(self, parts: tuple[str, ...], mode: int, via: str = "") -> None:
        self.issue(parts, "not_a_regular_file",
                   f"{via}{_kind_of(mode)}, not a document: not opened; only regular files are loaded, "
                   "remove it from the inbox")

    def symlink(self, entry: os.DirEntry, parts: tuple[str, ...],
                ancestors: frozenset[str]) -> tuple[str, str] | None:
        """Follow a symbolic link only to a target inside the inbox; never open the target."""
        target = os.path.realpath(entry.path)
        try:
            link_text = os.readlink(entry.path)
        except OSError:
            link_text = target
        shown = _printable(link_text)
        try:
            info = os.stat(entry.path)
        except OSError as err:
            if err.errno == errno.ELOOP:
                self.issue(parts, "symlink_loop",
                           f"symbolic link to {shown} loops back on itself: not followed; remove or fix the link")
            elif not _inside(target, self.root_real):
                self.outside(parts, shown, target)
            elif isinstance(err, FileNotFoundError):
                self.issue(parts, "broken_symlink",
                           f"symbolic link to {shown}, which does not exist: nothing to read; "
                           "remove the link or put its target back")
            else:
                self.issue(parts, "unreadable_entry",
                           f"symbolic link to {shown} cannot be followed ({_reason(err)}): not loaded; "
                           "check the link and the permissions of its target")
            return None
        if not _inside(target, self.root_real):
            self.outside(parts, shown, target)
            return None
        if stat.S_ISDIR(info.st_mode):
            if target in ancestors:
                self.issue(parts, "symlink_loop",
                           f"symbolic link to {shown}, a folder that contains the link: not followed "
                           "(it would list the same folder forever); remove the link")
                return None
            return entry.path, target
        if stat.S_ISREG(info.st_mode):
            self.add_file(parts, entry.path)
            return None
        self.not_regular(parts, info.st_mode, via=f"symbolic link to {shown}, ")
        return None

    def outside(self, parts: tuple[str, ...], shown: str, target: str) -> None:
        self.issue(parts, "symlink_outside_inbox",
                   f"symbolic link to {shown} ({_printable(target)}), outside the inbox: not followed, "
                   "the target is not read; copy the document itself into the inbox")

    def add_file(self, parts: tuple[str, ...], path: str) -> None:
        self.files.append((self.display(parts), "/".join(parts), Path(path)))

    def listing(self) -> InboxListing:
        files, used = [], set()
        # UTF-8 names first: they are the files' own names; a decoded name that equals one of
        # them (or another decoded name) shows its bytes instead, numbered if need be
        for name, raw, path in sorted(self.files, key=lambda item: (item[0] != item[1], os.fsencode(item[1]))):
            utf8 = name == raw
            if name in used:
                shown, number = _printable(raw), 2
                name = shown
                while name in used:
                    stem, dot, suffix = shown.rpartition(".")
                    name = f"{stem} ({number}).{suffix}" if dot else f"{shown} ({number})"
                    number += 1
            used.add(name)
            files.append(InboxFile(path, name))
            if not utf8:
                self.issues.append(ExtractionIssue(name, "", WARNING, "non_utf8_file_name",
                                                   non_utf8_message(raw, name), None))
        return InboxListing(sorted(files, key=lambda item: item.name),
                            sorted(self.issues, key=lambda issue: (issue.source_file, issue.code)))


def non_utf8_message(raw: str, name: str) -> str:
    """The `non_utf8_file_name` warning: the name as its bytes and as it is loaded."""
    parts = [display_part(part) for part in raw.split("/")]
    if any("\ufffd" in shown for shown, utf8 in parts if not utf8):
        return (f"the file name is neither UTF-8 nor GB18030: its bytes {_printable(raw)} are loaded under the "
                f"name {name} (U+FFFD for the bytes that make no sense); rename the file to a UTF-8 name")
    return (f"the file name is not UTF-8: its bytes {_printable(raw)}, read as GB18030, give the name {name} "
            f"it is loaded under; rename the file to {name} in UTF-8 so the name is certain")


def _reason(err: BaseException) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    return f"{type(err).__name__}: {err}"


def discover_documents(inbox: Path) -> InboxListing:
    """Every entry of the inbox, answered: regular files (and links to them inside the inbox)
    to extract, sorted by name; an `extraction_issues` row for each entry that is not one —
    a link out of the inbox (`symlink_outside_inbox`) or in a loop (`symlink_loop`), a link
    to nothing (`broken_symlink`), a FIFO, socket or device (`not_a_regular_file`, never
    opened: opening a FIFO blocks), a folder that cannot be listed (`unreadable_folder`) —
    and a `non_utf8_file_name` warning for a file whose name's bytes are not UTF-8 (it still
    loads, under its GB18030 reading). Hidden entries (a name starting with '.') are skipped.

    Raises `InboxError` only for the inbox itself (missing, not a folder, unreadable); one bad
    entry never raises."""
    inbox = Path(inbox)
    try:
        info = os.stat(inbox)
    except FileNotFoundError as err:
        raise InboxError(f"inbox {inbox} does not exist") from err
    except OSError as err:
        raise InboxError(f"inbox {inbox} cannot be read: {err}") from err
    if not stat.S_ISDIR(info.st_mode):
        raise InboxError(f"inbox {inbox} is not a folder")
    try:
        with os.scandir(inbox) as listing:
            top = list(listing)
    except OSError as err:
        raise InboxError(f"inbox {inbox} cannot be read: {err}") from err
    walk = _Walk(inbox, os.path.realpath(inbox))
    walk.run(top)
    return walk.listing()


def list_documents(inbox: Path) -> list[Path]:
    """The paths of `discover_documents` (its issues dropped): for callers not moved yet."""
    return discover_documents(inbox).paths


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


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file. Opened without blocking and checked once open, so an
    entry swapped for a FIFO or a device since the listing raises instead of hanging."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"{_kind_of(mode)}, not a regular file", str(path))
        return stream.read()


def iter_extractions(paths: Iterable[Path | InboxFile], inbox: Path,
                     taxonomy: Taxonomy | None = None) -> Iterator[FileExtraction]:
    """`extract_paths` one file at a time: a caller that renders each file as it comes keeps
    one file's row objects alive, not a whole batch's (fewer objects for the garbage
    collector to walk, and a heap that stays in the CPU caches). Items are paths (named by
    their path under `inbox`) or `InboxFile`s (named by their UTF-8 name)."""
    taxonomy = taxonomy or load_taxonomy()
    for item in paths:
        path, name = _path_and_name(item, inbox)
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            result = FileExtraction(source_file=name, source_sha256="")
            result.issues.append(ExtractionIssue(name, "", ERROR, "unsupported_format",
                                                 f"'{path.suffix}' files are not read yet (only .txt)", None))
        else:
            try:
                data = read_regular_file(path)
            except OSError as err:
                result = FileExtraction(source_file=name, source_sha256="")
                result.issues.append(ExtractionIssue(name, "", ERROR, "unreadable_file", str(err), None))
            else:
                result = extract_file(name, data, taxonomy)
        yield result


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
            for table in STAGING_TABLES:
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

    def add_issues(self, issues: list[ExtractionIssue]) -> None:
        """Issue rows that belong to no extracted file (the inbox listing's, a failed
        quarantine copy), counted in the summary."""
        self.writers["extraction_issues"].write(issues)
        self.summary.errors += sum(1 for issue in issues if issue.severity == ERROR)
        self.summary.warnings += sum(1 for issue in issues if issue.severity == WARNING)

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


class NotQuarantinable(OSError):
    """The source is not a regular file inside the inbox: it is not copied."""


def quarantine(results: Iterable[FileExtraction | FileRows], inbox: Path, quarantine_dir: Path,
               sources: Mapping[str, Path] | None = None,
               failures: list[ExtractionIssue] | None = None) -> list[str]:
    """Copy each file with an `error` issue into `quarantine_dir` (under its `source_file`
    name); returns the names now in quarantine. Never raises: a source that vanished, cannot
    be read, is not a regular file or lies outside the inbox (a link out of it) is not
    copied; the failure is logged and, when `failures` is given, appended to it as a
    `quarantine_failed` warning row. An earlier quarantined copy is never overwritten: the
    same bytes are not copied twice, other bytes get the name `<stem> (2)<suffix>`, (3) ….
    `sources` maps a `source_file` to the path to read (`InboxFile.path`: a name that is not
    UTF-8 on disk); default `inbox / source_file`."""
    moved = []
    for result in results:
        if not result.has_errors:
            continue
        name = result.source_file
        try:
            source = (sources or {}).get(name) or Path(inbox) / name
            copy = _quarantine_copy(source, Path(inbox), Path(quarantine_dir), name)
        except Exception as err:  # noqa: BLE001 - quarantine never stops a load
            reason = str(err) if isinstance(err, NotQuarantinable) else _reason(err)
            message = (f"not copied to the quarantine folder {quarantine_dir}: {reason}; its issues are still "
                       "recorded, fix the file in the inbox (or copy it to the quarantine folder by hand)")
            logger.warning("%s: %s", name, message)
            if failures is not None:
                failures.append(ExtractionIssue(name, "", WARNING, "quarantine_failed", message, None))
            continue
        logger.debug("quarantined %s as %s", name, copy)
        moved.append(name)
    return moved


def _quarantine_target(quarantine_dir: Path, name: str) -> Path:
    parts = [part for part in PurePosixPath(name).parts if part not in ("", ".", "..", "/")]
    return quarantine_dir.joinpath(*parts) if parts else quarantine_dir / "unnamed"


def _numbered(target: Path, number: int) -> Path:
    if number == 1:
        return target
    suffix = target.suffix
    return target.with_name(f"{target.name[:len(target.name) - len(suffix)]} ({number}){suffix}")


def _place(temp: Path, candidate: Path) -> None:
    """Give `temp` the name `candidate` unless it is taken (FileExistsError): a hard link,
    atomic; a plain exclusive copy where the file system has no hard links."""
    try:
        os.link(temp, candidate)
    except FileExistsError:
        raise
    except OSError as err:
        if err.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise
        with temp.open("rb") as source, candidate.open("xb") as copy:
            shutil.copyfileobj(source, copy, 1 << 20)


def _quarantine_copy(source: Path, inbox: Path, quarantine_dir: Path, name: str) -> Path:
    real = os.path.realpath(source)
    if not _inside(real, os.path.realpath(inbox)):
        raise NotQuarantinable(f"{_printable(str(source))} resolves to {_printable(real)}, outside the inbox")
    try:
        # O_NOFOLLOW: `real` has no link left, unless one was put there since; O_NONBLOCK: a FIFO never blocks
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError as err:
        raise NotQuarantinable("the file is no longer in the inbox") from err
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotQuarantinable(f"{_kind_of(mode)}, not a regular file")
        target = _quarantine_target(quarantine_dir, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        temp = target.with_name(f".{target.name}.{os.getpid()}.quarantine.tmp")
        try:
            with temp.open("wb") as copy:
                shutil.copyfileobj(stream, copy, 1 << 20)
            for number in range(1, 1000):
                candidate = _numbered(target, number)
                try:
                    _place(temp, candidate)
                    return candidate
                except FileExistsError:
                    if candidate.is_file() and filecmp.cmp(temp, candidate, shallow=False):
                        return candidate  # the same bytes were quarantined before
            raise NotQuarantinable(f"999 different files named {target.name} are in quarantine already")
        finally:
            temp.unlink(missing_ok=True)


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
        """Results in batch order. If anything stops the caller (an exception, a signal
        raised as one, the generator closed early), queued batches are cancelled and the
        workers terminated at once, not waited for."""
        method = self.method or start_method()
        if method == "fork":
            load_taxonomy()  # loaded once here, inherited by every worker
        context = multiprocessing.get_context(method)
        encoded = functools.partial(_encoded_csv, function)
        pool = ProcessPoolExecutor(max_workers=self.workers, mp_context=context, initializer=_worker_signals)
        try:
            yield from in_order(lambda batch: pool.submit(encoded, batch), batches, window=2 * self.workers)
        except BaseException:
            stop_pool(pool)
            raise
        pool.shutdown(wait=True)


def _worker_signals() -> None:
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
                   progress: Callable[[int, int], None] | None = None,
                   mapper: Mapper | None = None) -> ExtractionSummary:
    """Extract the whole inbox into the staging CSVs, streaming: rows are written a batch of
    files at a time, never all held in memory. The listing's issues (entries that are not
    regular files, names that are not UTF-8) land in extraction_issues; an entry with an
    error counts as quarantined, though only regular files inside the inbox are copied."""
    started = time.perf_counter()
    listing = discover_documents(inbox)
    files = listing.files
    total = len(files)
    sizes = _sizes(files)
    mapper = mapper or default_mapper(sum(sizes))
    batches = plan_batches(files, sizes, batch_bytes_for(sum(sizes), mapper_workers(mapper)))
    if len(batches) < 2:
        mapper = in_process  # one batch runs on one process anyway: no pool to start
    quarantine_dir = quarantine_dir or out_dir.parent / "quarantine"
    sources = {item.name: item.path for item in files}
    quarantined = []
    done = 0
    with StagingLander(out_dir) as lander:
        lander.add_issues(listing.issues)
        refused = sorted({issue.source_file for issue in listing.issues if issue.severity == ERROR})
        lander.summary.files += len(refused)
        batches_rows = mapper(functools.partial(extract_batch, inbox=inbox), batches)
        try:
            for batch_rows in batches_rows:
                for result in batch_rows:
                    lander.add_rows(result)
                    failures: list[ExtractionIssue] = []
                    quarantine([result], inbox, quarantine_dir, sources, failures)
                    lander.add_issues(failures)
                    if result.has_errors:
                        quarantined.append(result.source_file)
                    done += 1
                    if progress:
                        progress(done, total)
        finally:
            close = getattr(batches_rows, "close", None)
            if close:
                close()  # a pool stops its workers now, not when the generator is collected
    summary = lander.summary
    summary.quarantined = sorted([*quarantined, *refused])
    summary.bytes_read = sum(sizes)
    summary.seconds = time.perf_counter() - started
    return summary
