"""Choosing the reader: by suffix, unless the bytes clearly are another readable format."""

from __future__ import annotations

import pytest

from extract.readers import SUPPORTED_FORMATS, ReaderError, read_document
from extract.readers.detect import choose_format

OLE_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 64


@pytest.mark.parametrize(("name", "kind"), [
    ("a.txt", "text"), ("a.TXT", "text"), ("a.html", "html"), ("a.htm", "html"), ("a.xlsx", "xlsx"),
    ("a.xls", "xls"), ("a.docx", "docx"), ("a.pdf", "pdf")])
def test_by_suffix(name, kind):
    assert choose_format(name, b"anything") == kind


def test_suffixes_that_lie(rendered):
    html = rendered[("000", "html")].read_bytes()
    docx = rendered[("001", "docx")].read_bytes()
    pdf = rendered[("003", "pdf")].read_bytes()
    assert choose_format("报表.xls", html) == "html"  # sites serve HTML tables as .xls
    assert choose_format("申报表.doc", docx) == "docx"
    assert choose_format("目标表.txt", pdf) == "pdf"
    assert choose_format("x.xlsx", docx) == "docx"
    assert choose_format("notes.txt", b"<html><body>plain notes</body></html>") == "text"
    doc = read_document("报表.xls", html)
    assert doc.format == "html" and doc.tables[0].rows[4][2].text == "资金总额"


@pytest.mark.parametrize(("name", "data"), [
    ("old.doc", OLE_WORD), ("old.doc", b"anything"), ("form.rtf", b"{\\rtf1\\ansi hello}"),
    ("form.wps", b"\x00\x01"), ("form", b"hello"), ("table.csv", b"a,b\n1,2\n")])
def test_unsupported_formats_list_the_formats_read(name, data):
    with pytest.raises(ReaderError) as info:
        read_document(name, data)
    assert info.value.code == "unsupported_format"
    assert SUPPORTED_FORMATS in info.value.message
    assert SUPPORTED_FORMATS == ".txt .html/.htm .xlsx .xls .docx .pdf .json (table grids)"


def test_old_word_is_named_as_such():
    with pytest.raises(ReaderError, match=r"old Word \(\.doc\)"):
        read_document("old.doc", OLE_WORD)
