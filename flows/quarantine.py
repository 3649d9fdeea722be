"""Quarantine: a copy of every document with an `error` issue, for someone to look at.

Only regular files inside the inbox are copied (a link out of it never is), an earlier copy
is never overwritten, and a copy that fails is a `quarantine_failed` warning, never a failed
load.
"""

from __future__ import annotations

import errno
import filecmp
import logging
import os
import shutil
import stat
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

from extract.file_rows import FileRows
from extract.pipeline import WARNING, FileExtraction
from extract.records import ExtractionIssue
from flows.inbox import entry_kind, error_reason, inside, printable

logger = logging.getLogger(__name__)


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
            reason = str(err) if isinstance(err, NotQuarantinable) else error_reason(err)
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
    if not inside(real, os.path.realpath(inbox)):
        raise NotQuarantinable(f"{printable(str(source))} resolves to {printable(real)}, outside the inbox")
    try:
        # O_NOFOLLOW: `real` has no link left, unless one was put there since; O_NONBLOCK: a FIFO never blocks
        descriptor = os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
    except FileNotFoundError as err:
        raise NotQuarantinable("the file is no longer in the inbox") from err
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise NotQuarantinable(f"{entry_kind(mode)}, not a regular file")
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
