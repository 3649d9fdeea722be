"""Which reader a file needs. The suffix decides, unless the first bytes clearly say another
format: government sites serve HTML tables as `.xls`, Word 2007 files as `.doc`, and PDFs under
any name. Sniffing looks only at signatures and container member names; parsing is left to the
format's library."""

from __future__ import annotations

import io
import zipfile
from pathlib import PurePath

from extract.readers.errors import SUPPORTED_FORMATS, ReaderError

TEXT, HTML, XLSX, XLS, DOCX, PDF, GRID = "text", "html", "xlsx", "xls", "docx", "pdf", "tablegrid"
BY_SUFFIX = {".txt": TEXT, ".text": TEXT, ".html": HTML, ".htm": HTML, ".xlsx": XLSX, ".xls": XLS,
             ".docx": DOCX, ".pdf": PDF, ".json": GRID}
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16 = lambda name: name.encode("utf-16-le")  # noqa: E731 - OLE2 directory entries are UTF-16 names
_HTML_STARTS = (b"<!doctype html", b"<html", b"<table", b"<meta", b"<head", b"<body", b"<?xml")


def _zip_kind(data: bytes) -> str | None:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "word/document.xml" in names:
        return DOCX
    if "xl/workbook.xml" in names:
        return XLSX
    return "zip"


def _ole_kind(data: bytes) -> str:
    head = data[:65536]
    if _UTF16("Workbook") in head or _UTF16("Book\x00") in head:
        return XLS
    if _UTF16("WordDocument") in head:
        return "doc"
    return "ole"


def _looks_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_STARTS) and (b"<html" in head or b"<table" in data[:65536].lower())


def sniff(data: bytes) -> str | None:
    """The format the bytes announce, or None when they announce none (plain text, or junk)."""
    if data[:1024].lstrip().startswith(b"%PDF") or b"%PDF-" in data[:1024]:
        return PDF
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data) or "broken_zip"
    if data.startswith(_OLE2):
        return _ole_kind(data)
    if data.startswith((b"{\\rtf", b"\xef\xbb\xbf{\\rtf")):
        return "rtf"
    if _looks_html(data):
        return HTML
    return None


def choose_format(name: str, data: bytes) -> str:
    """The reader for `name`: by suffix, overruled by a signature of another readable format."""
    suffix = PurePath(name).suffix.lower()
    claimed = BY_SUFFIX.get(suffix)
    found = sniff(data)
    # a .txt that happens to hold markup stays text
    if found in (PDF, HTML, XLSX, XLS, DOCX) and found != claimed and not (claimed == TEXT and found == HTML):
        return found
    if claimed is not None:
        return claimed
    what = {"doc": "an old Word (.doc) document", "rtf": "an RTF document", "ole": "an OLE2 compound file",
            "zip": "a zip archive", "broken_zip": "a broken zip archive"}.get(found or "", f"'{suffix or name}'")
    raise ReaderError("unsupported_format",
                      f"{what} cannot be read; formats read: {SUPPORTED_FORMATS} (save .doc as .docx or PDF)", None)
