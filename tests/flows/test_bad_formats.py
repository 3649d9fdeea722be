"""One inbox of every format, good and bad: the samples as a web page, a workbook, a Word file
and a PDF land exactly; beside them a broken XLSX and DOCX (a zip cut off), an encrypted PDF, a
scanned PDF, a web page with no table, a 5 000-row sheet that is no form and an old Word `.doc`
each get their `extraction_issues` row naming file, place and reason, and are quarantined. No
bad file costs a good one anything."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from extract.readers import read_document
from flows.extraction import run_extraction
from tests.extract.conftest import SAMPLES
from tests.extract.readers import specials
from tests.extract.readers.render import RENDERERS, SUFFIX

GOOD = {"000": "xlsx", "001": "html", "002": "docx", "003": "pdf", "004": "xls"}


def _sheet_of_5000_rows() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "单位", "金额"])
    for number in range(1, 5000):
        sheet.append([number, f"单位{number}", 100 + number])
    out = __import__("io").BytesIO()
    book.save(out)
    return out.getvalue()


def _old_word_doc() -> bytes:
    """The first bytes of a Word 97-2003 file: an OLE2 container whose directory names the
    `WordDocument` stream (what the sniffer reads)."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "WordDocument".encode("utf-16-le") + b"\x00" * 400


BAD = {
    "broken.xlsx": lambda: RENDERERS["xlsx"](_sample_document("000"))[:2000],
    "broken.docx": lambda: RENDERERS["docx"](_sample_document("000"))[:3000],
    "secret.pdf": specials.pdf_encrypted,
    "scan.pdf": specials.pdf_scanned,
    "notice.html": lambda: ("<html><head><meta charset='utf-8'></head><body><h1>关于公开2026年度预算绩效目标的通知</h1>"
                            "<p>各单位：现将有关事项通知如下。</p></body></html>").encode(),
    "listing.xlsx": _sheet_of_5000_rows,
    "old.doc": _old_word_doc,
}
# (code, where) of each bad file's error row
WANT = {
    "broken.xlsx": ("corrupt_file", ""),
    "broken.docx": ("corrupt_file", ""),
    "secret.pdf": ("encrypted", ""),
    "scan.pdf": ("no_text_layer", "page 1"),
    "notice.html": ("unknown_form", "paragraph 1"),
    "listing.xlsx": ("unknown_form", "Sheet!A1"),
    "old.doc": ("unsupported_format", ""),
}


def _sample_document(prefix: str):
    path = next(SAMPLES.glob(f"{prefix}_*.txt"))
    return read_document(path.name, path.read_bytes())


@pytest.fixture(scope="module")
def landed(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("formats")
    inbox = root / "inbox"
    inbox.mkdir()
    for prefix, kind in GOOD.items():
        path = next(SAMPLES.glob(f"{prefix}_*.txt"))
        (inbox / (path.stem + SUFFIX[kind])).write_bytes(RENDERERS[kind](_sample_document(prefix)))
    for name, make in BAD.items():
        (inbox / name).write_bytes(make())
    summary = run_extraction(inbox, root / "staging", root / "quarantine")
    return root, summary


def _rows(root: Path, table: str) -> list[dict]:
    with (root / "staging" / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_each_bad_file_has_its_error_row_naming_file_place_and_reason(landed):
    root, _ = landed
    errors = {row["source_file"]: row for row in _rows(root, "extraction_issues") if row["severity"] == "error"}
    assert {name: (row["code"], row["source_ref"]) for name, row in errors.items()} == WANT
    assert "formats read: .txt .html/.htm .xlsx .xls .docx .pdf .json (table grids)" in errors["old.doc"]["message"]
    assert "old Word (.doc)" in errors["old.doc"]["message"]
    assert "password" in errors["secret.pdf"]["message"]
    assert "has a text layer: a scan, which needs OCR" in errors["scan.pdf"]["message"]


def test_bad_files_are_quarantined_and_only_they(landed):
    root, summary = landed
    assert sorted(summary.quarantined) == sorted(BAD)
    assert sorted(path.name for path in (root / "quarantine").iterdir()) == sorted(BAD)


def test_the_good_files_of_every_format_land_whole(landed):
    root, summary = landed
    documents = _rows(root, "documents")
    assert sorted((d["source_file"][:3], d["source_format"]) for d in documents) == sorted(
        [("000", "xlsx"), ("001", "html"), ("002", "docx"), ("003", "pdf")] + [("004", "xls")] * 12)
    assert len(_rows(root, "indicators")) == 298
    assert len(_rows(root, "indicator_values")) == 596
    assert len(_rows(root, "budget_lines")) == 158
    assert summary.forms == 16
