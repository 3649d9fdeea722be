"""Every entry of the inbox gets an answer, never a crash: `discover_documents` lists the
regular files (and links to them inside the inbox) and gives one issue row per entry that
is not one; `quarantine` never overwrites and never raises; `perfbudget extract` lands it all."""

from __future__ import annotations

import csv
import os
import shutil
import socket
import stat
from pathlib import Path

import pytest

from extract.pipeline import extract_file
from extract.records import ExtractionIssue
from flows.cli import main
from flows.extraction import run_extraction
from flows.inbox import InboxError, InboxFile, discover_documents, list_documents
from flows.quarantine import quarantine
from tests.extract.conftest import sample_path

GBK_NAME = "中文.txt".encode("gbk")  # b'\xd6\xd0\xce\xc4.txt', as a zip made on a Chinese Windows holds it
BAD_GBK_NAME = "坏.txt".encode("gbk")  # b'\xbb\xb5.txt'
UNDECODABLE_NAME = b"\xff\xfe.txt"  # neither UTF-8 nor GB18030


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def error(source_file: str, code: str, message: str) -> ExtractionIssue:
    return ExtractionIssue(source_file, "", "error", code, message, None)


def raw_path(folder: Path, name: bytes) -> Path:
    """The path of a file whose name is raw bytes (Python shows it with surrogate escapes)."""
    return Path(os.fsdecode(os.path.join(os.fsencode(folder), name)))


def outside_message(link: str, target: Path) -> str:
    return (f"symbolic link to {link} ({target}), outside the inbox: not followed, the target is not read; "
            "copy the document itself into the inbox")


NOT_REGULAR = "{}, not a document: not opened; only regular files are loaded, remove it from the inbox"


@pytest.fixture
def odd_inbox(tmp_path: Path, monkeypatch) -> Path:
    """An inbox with one of each kind of entry a real inbox folder has been seen to hold."""
    inbox, outside = tmp_path / "inbox", tmp_path / "outside"
    (inbox / "sub").mkdir(parents=True)
    (outside / "folder").mkdir(parents=True)
    (outside / "o.txt").write_bytes(sample_path("002").read_bytes())
    (outside / "folder" / "p.txt").write_bytes(b"")
    shutil.copy(sample_path("000"), inbox / "a.txt")
    shutil.copy(sample_path("003"), inbox / "sub" / "b.txt")
    (inbox / "in_link.txt").symlink_to("a.txt")  # a link to a file inside: followed
    (inbox / "linked_sub").symlink_to("sub")  # a link to a folder inside: walked
    (inbox / "out_link.txt").symlink_to("../outside/o.txt")
    (inbox / "out_folder").symlink_to(outside / "folder")
    (inbox / "loop1").symlink_to("loop2")
    (inbox / "loop2").symlink_to("loop1")
    (inbox / "sub" / "up").symlink_to("..")  # a folder that holds the link: walking it never ends
    (inbox / "broken.txt").symlink_to("gone.txt")
    os.mkfifo(inbox / "pipe.txt")  # opening it would block until someone writes
    monkeypatch.chdir(inbox)  # a socket path must be short: bind it by its relative name
    server = socket.socket(socket.AF_UNIX)
    server.bind("sock")
    server.close()
    (inbox / ".hidden.txt").write_bytes(b"")
    (inbox / ".cache").mkdir()
    (inbox / ".cache" / "x.txt").write_bytes(b"")
    raw_path(inbox, GBK_NAME).write_bytes(sample_path("001").read_bytes())
    (inbox / "raw").mkdir()
    raw_path(inbox / "raw", UNDECODABLE_NAME).write_bytes(sample_path("004").read_bytes())
    return inbox


def test_every_entry_gets_a_file_or_an_issue(odd_inbox: Path, tmp_path: Path):
    listing = discover_documents(odd_inbox)
    assert listing.files == [
        InboxFile(odd_inbox / "a.txt", "a.txt"),
        InboxFile(odd_inbox / "in_link.txt", "in_link.txt"),
        InboxFile(odd_inbox / "linked_sub" / "b.txt", "linked_sub/b.txt"),
        InboxFile(raw_path(odd_inbox / "raw", UNDECODABLE_NAME), "raw/\ufffd\ufffd.txt"),
        InboxFile(odd_inbox / "sub" / "b.txt", "sub/b.txt"),
        InboxFile(raw_path(odd_inbox, GBK_NAME), "中文.txt"),
    ]
    loop_folder = ("a folder that contains the link: not followed (it would list the same folder forever); "
                   "remove the link")
    assert listing.issues == [
        error("broken.txt", "broken_symlink",
              "symbolic link to gone.txt, which does not exist: nothing to read; remove the link or put its "
              "target back"),
        error("linked_sub/up", "symlink_loop", f"symbolic link to .., {loop_folder}"),
        error("loop1", "symlink_loop",
              "symbolic link to loop2 loops back on itself: not followed; remove or fix the link"),
        error("loop2", "symlink_loop",
              "symbolic link to loop1 loops back on itself: not followed; remove or fix the link"),
        error("out_folder", "symlink_outside_inbox",
              outside_message(str(tmp_path / "outside" / "folder"), tmp_path / "outside" / "folder")),
        error("out_link.txt", "symlink_outside_inbox",
              outside_message("../outside/o.txt", tmp_path / "outside" / "o.txt")),
        error("pipe.txt", "not_a_regular_file", NOT_REGULAR.format("a named pipe (FIFO)")),
        ExtractionIssue("raw/\ufffd\ufffd.txt", "", "warning", "non_utf8_file_name",
                        "the file name is neither UTF-8 nor GB18030: its bytes raw/\\xff\\xfe.txt are loaded under "
                        "the name raw/\ufffd\ufffd.txt (U+FFFD for the bytes that make no sense); rename the file to "
                        "a UTF-8 name", None),
        error("sock", "not_a_regular_file", NOT_REGULAR.format("a socket")),
        error("sub/up", "symlink_loop", f"symbolic link to .., {loop_folder}"),
        ExtractionIssue("中文.txt", "", "warning", "non_utf8_file_name",
                        "the file name is not UTF-8: its bytes \\xd6\\xd0\\xce\\xc4.txt, read as GB18030, give the "
                        "name 中文.txt it is loaded under; rename the file to 中文.txt in UTF-8 so the name is "
                        "certain", None),
    ]
    assert list_documents(odd_inbox) == [item.path for item in listing.files]


def test_a_device_is_not_a_regular_file(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    try:
        os.mknod(inbox / "null", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, OSError) as err:
        pytest.skip(f"cannot create a device node here: {err}")
    listing = discover_documents(inbox)
    assert listing.files == []
    assert listing.issues == [error("null", "not_a_regular_file", NOT_REGULAR.format("a character device"))]


def test_a_name_that_decodes_like_another_shows_its_bytes(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "中文.txt").write_bytes(b"utf-8 named")
    raw_path(inbox, GBK_NAME).write_bytes(b"gbk named")
    listing = discover_documents(inbox)
    assert [item.name for item in listing.files] == ["\\xd6\\xd0\\xce\\xc4.txt", "中文.txt"]
    assert [item.path.read_bytes() for item in listing.files] == [b"gbk named", b"utf-8 named"]


def test_a_folder_that_cannot_be_listed_is_an_issue(tmp_path: Path, monkeypatch):
    inbox = tmp_path / "inbox"
    (inbox / "locked" / "deeper").mkdir(parents=True)
    (inbox / "locked" / "x.txt").write_bytes(b"")
    (inbox / "open.txt").write_bytes(b"")
    real_scandir = os.scandir

    def scandir(path):  # root may list any folder: refuse this one as a mode 000 folder would
        if Path(path) == inbox / "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    listing = discover_documents(inbox)
    assert listing.files == [InboxFile(inbox / "open.txt", "open.txt")]
    assert listing.issues == [error(
        "locked", "unreadable_folder",
        "the folder cannot be listed (Permission denied): the documents in it are not loaded; give the load "
        "permission to read and enter it")]


def test_the_inbox_itself_missing_a_file_or_unreadable_is_an_inbox_error(tmp_path: Path, monkeypatch):
    with pytest.raises(InboxError, match=f"^inbox {tmp_path / 'nope'} does not exist$"):
        discover_documents(tmp_path / "nope")
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(InboxError, match=f"^inbox {tmp_path / 'file'} is not a folder$"):
        discover_documents(tmp_path / "file")
    real_scandir = os.scandir

    def scandir(path):
        if Path(path) == tmp_path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(InboxError, match=r"^inbox .* cannot be read: \[Errno 13\] Permission denied"):
        discover_documents(tmp_path)


def test_extract_lands_the_listing_and_quarantines_only_regular_files_inside(odd_inbox: Path, tmp_path: Path,
                                                                           capsys):
    (odd_inbox / "empty.txt").write_bytes(b"")
    (odd_inbox / "empty_link.txt").symlink_to("empty.txt")
    raw_path(odd_inbox, BAD_GBK_NAME).write_bytes(b"\x00\x01 not a document")
    out, quarantined = tmp_path / "staging", tmp_path / "quarantine"
    assert main(["extract", "--inbox", str(odd_inbox), "--out", str(out), "--quarantine", str(quarantined)]) == 0
    documents = read_csv(out / "documents.csv")
    assert sorted({row["source_file"] for row in documents}) == [
        "a.txt", "linked_sub/b.txt", "raw/\ufffd\ufffd.txt", "中文.txt"]  # in_link.txt, sub/b.txt: duplicates
    issues = read_csv(out / "extraction_issues.csv")
    assert sorted((row["source_file"], row["severity"], row["code"]) for row in issues) == [
        ("broken.txt", "error", "broken_symlink"),
        ("empty.txt", "error", "empty_file"),
        ("empty_link.txt", "error", "empty_file"),
        ("in_link.txt", "warning", "duplicate_document"),
        ("linked_sub/up", "error", "symlink_loop"),
        ("loop1", "error", "symlink_loop"),
        ("loop2", "error", "symlink_loop"),
        ("out_folder", "error", "symlink_outside_inbox"),
        ("out_link.txt", "error", "symlink_outside_inbox"),
        ("pipe.txt", "error", "not_a_regular_file"),
        ("raw/\ufffd\ufffd.txt", "warning", "non_utf8_file_name"),
        ("sock", "error", "not_a_regular_file"),
        ("sub/b.txt", "warning", "duplicate_document"),
        ("sub/up", "error", "symlink_loop"),
        ("中文.txt", "warning", "non_utf8_file_name"),
        ("坏.txt", "error", "binary_file"),
        ("坏.txt", "warning", "non_utf8_file_name"),
    ]
    # only regular files inside the inbox are copied, under their UTF-8 names
    assert sorted(path.name for path in quarantined.iterdir()) == ["empty.txt", "empty_link.txt", "坏.txt"]
    assert (quarantined / "坏.txt").read_bytes() == b"\x00\x01 not a document"
    printed = capsys.readouterr().out
    assert ("quarantined      12 (broken.txt: broken_symlink, empty.txt: empty_file at L1, "
            "empty_link.txt: empty_file at L1, linked_sub/up: symlink_loop, loop1: symlink_loop, loop2: symlink_loop, "
            "out_folder: symlink_outside_inbox, out_link.txt: symlink_outside_inbox, pipe.txt: not_a_regular_file, "
            "sock: not_a_regular_file, sub/up: symlink_loop, 坏.txt: binary_file at L1)") in printed
    assert "issues           12 errors, 5 warnings" in printed


def bad_result(name: str):
    return extract_file(name, b"")  # an empty_file error


def test_quarantine_never_overwrites_and_copies_the_same_bytes_once(tmp_path: Path):
    inbox, quarantined = tmp_path / "inbox", tmp_path / "quarantine"
    (inbox / "sub").mkdir(parents=True)
    (quarantined / "sub").mkdir(parents=True)
    (quarantined / "sub" / "bad.txt").write_bytes(b"last week's bad.txt")
    (inbox / "sub" / "bad.txt").write_bytes(b"")
    assert quarantine([bad_result("sub/bad.txt")], inbox, quarantined) == ["sub/bad.txt"]
    assert quarantine([bad_result("sub/bad.txt")], inbox, quarantined) == ["sub/bad.txt"]  # already there
    assert sorted(path.name for path in (quarantined / "sub").iterdir()) == ["bad (2).txt", "bad.txt"]
    assert (quarantined / "sub" / "bad.txt").read_bytes() == b"last week's bad.txt"
    assert (quarantined / "sub" / "bad (2).txt").read_bytes() == b""
    (inbox / "sub" / "bad.txt").write_bytes(b"\x00")
    assert quarantine([bad_result("sub/bad.txt")], inbox, quarantined) == ["sub/bad.txt"]
    assert (quarantined / "sub" / "bad (3).txt").read_bytes() == b"\x00"


def test_quarantine_never_raises_and_records_what_it_could_not_copy(tmp_path: Path):
    inbox, quarantined, outside = tmp_path / "inbox", tmp_path / "quarantine", tmp_path / "outside.txt"
    inbox.mkdir()
    outside.write_bytes(b"secret")
    (inbox / "out.txt").symlink_to(outside)
    os.mkfifo(inbox / "pipe.txt")
    raw_path(inbox, BAD_GBK_NAME).write_bytes(b"")
    failures: list[ExtractionIssue] = []
    results = [bad_result(name) for name in ("gone.txt", "out.txt", "pipe.txt", "坏.txt")]
    copied = quarantine(results, inbox, quarantined, sources={"坏.txt": raw_path(inbox, BAD_GBK_NAME)},
                        failures=failures)
    assert copied == ["坏.txt"]
    assert [path.name for path in quarantined.iterdir()] == ["坏.txt"]
    tail = "; its issues are still recorded, fix the file in the inbox (or copy it to the quarantine folder by hand)"
    assert failures == [
        ExtractionIssue("gone.txt", "", "warning", "quarantine_failed",
                        f"not copied to the quarantine folder {quarantined}: the file is no longer in the inbox{tail}",
                        None),
        ExtractionIssue("out.txt", "", "warning", "quarantine_failed",
                        f"not copied to the quarantine folder {quarantined}: {inbox / 'out.txt'} resolves to "
                        f"{outside}, outside the inbox{tail}", None),
        ExtractionIssue("pipe.txt", "", "warning", "quarantine_failed",
                        f"not copied to the quarantine folder {quarantined}: a named pipe (FIFO), not a regular "
                        f"file{tail}", None),
    ]
    # without `failures` (the old call) it still never raises
    assert quarantine(results[:3], inbox, quarantined) == []


def test_run_extraction_counts_listing_errors_as_quarantined(tmp_path: Path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sample_path("003"), inbox / "good.txt")
    os.mkfifo(inbox / "pipe")
    summary = run_extraction(inbox, tmp_path / "out", tmp_path / "quarantine")
    assert (summary.files, summary.forms, summary.errors, summary.warnings) == (2, 1, 1, 0)
    assert summary.quarantined == ["pipe"]
    assert not (tmp_path / "quarantine").exists() or not list((tmp_path / "quarantine").iterdir())
