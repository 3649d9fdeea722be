"""The inbox: every entry listed and answered, and a document's bytes read without hanging.

`discover_documents` walks the inbox (links followed only inside it, FIFOs and devices never
opened, names that are not UTF-8 given a UTF-8 name) and `read_regular_file` reads one file.
Both are the file-system edge in front of `extract.pipeline.extract_file`, which only ever
sees a name and bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from extract.pipeline import ERROR, WARNING
from extract.records import ExtractionIssue


class InboxError(RuntimeError):
    """The inbox itself cannot be read (missing, not a folder, no permission)."""


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


def entry_kind(mode: int) -> str:
    """What an entry that is neither a regular file nor a folder is, for a message."""
    return next((kind for test, kind in _SPECIAL_KINDS if test(mode)), "not a file or folder")


def printable(text: str) -> str:
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


def inside(path: str, root: str) -> bool:
    """`path` is `root` or lies under it (both real paths)."""
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
                    self.issue(entry_parts, "unreadable_entry", f"cannot be examined ({error_reason(err)}): "
                               "not loaded; check the entry and its permissions")
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
                       f"the folder cannot be listed ({error_reason(err)}): the documents in it are not loaded; "
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
                   f"{via}{entry_kind(mode)}, not a document: not opened; only regular files are loaded, "
                   "remove it from the inbox")

    def symlink(self, entry: os.DirEntry, parts: tuple[str, ...],
                ancestors: frozenset[str]) -> tuple[str, str] | None:
        """Follow a symbolic link only to a target inside the inbox; never open the target."""
        target = os.path.realpath(entry.path)
        try:
            link_text = os.readlink(entry.path)
        except OSError:
            link_text = target
        shown = printable(link_text)
        try:
            info = os.stat(entry.path)
        except OSError as err:
            if err.errno == errno.ELOOP:
                self.issue(parts, "symlink_loop",
                           f"symbolic link to {shown} loops back on itself: not followed; remove or fix the link")
            elif not inside(target, self.root_real):
                self.outside(parts, shown, target)
            elif isinstance(err, FileNotFoundError):
                self.issue(parts, "broken_symlink",
                           f"symbolic link to {shown}, which does not exist: nothing to read; "
                           "remove the link or put its target back")
            else:
                self.issue(parts, "unreadable_entry",
                           f"symbolic link to {shown} cannot be followed ({error_reason(err)}): not loaded; "
                           "check the link and the permissions of its target")
            return None
        if not inside(target, self.root_real):
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
                   f"symbolic link to {shown} ({printable(target)}), outside the inbox: not followed, "
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
                shown, number = printable(raw), 2
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
        return (f"the file name is neither UTF-8 nor GB18030: its bytes {printable(raw)} are loaded under the "
                f"name {name} (U+FFFD for the bytes that make no sense); rename the file to a UTF-8 name")
    return (f"the file name is not UTF-8: its bytes {printable(raw)}, read as GB18030, give the name {name} "
            f"it is loaded under; rename the file to {name} in UTF-8 so the name is certain")


def error_reason(err: BaseException) -> str:
    """Why an operation failed, in a few words for a message (the OS's text when it has one)."""
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


def read_regular_file(path: Path) -> bytes:
    """The bytes of a regular file. Opened without blocking and checked once open, so an
    entry swapped for a FIFO or a device since the listing raises instead of hanging."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(descriptor, "rb") as stream:
        mode = os.fstat(descriptor).st_mode
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, f"{entry_kind(mode)}, not a regular file", str(path))
        return stream.read()
