"""Workbooks (.xlsx on openpyxl, .xls on xlrd): numbers and dates as the sheet shows them,
merged ranges as spans, hidden rows, columns and sheets skipped, big sheets fast."""

from __future__ import annotations

import datetime as dt
import io
import time

import openpyxl
import pytest
import xlwt

from extract.readers import ReaderError, grid_texts, read_document
from tests.extract.readers.render import xls_bytes

PRINTED = [  # value, number format, as printed
    (83300, "General", "83300"), (83300.0, "General", "83300"), (4128.4, "General", "4128.4"),
    (0.95, "0%", "95%"), (0.9567, "0.00%", "95.67%"), (1, "0%", "100%"), (1234567.891, "#,##0.00", "1,234,567.89"),
    (19.5, "0.00", "19.50"), (0.1 + 0.2, "General", "0.3"), (2.5, '0.0"万元"', "2.5万元"), (-3, "0;(0)", "(3)"),
    (dt.datetime(2026, 1, 15), "yyyy-mm-dd", "2026-01-15"),
    (dt.datetime(2026, 1, 15), 'yyyy"年"m"月"d"日"', "2026年1月15日"),
    (dt.datetime(2026, 1, 15), "mm-dd-yy", "2026/1/15"),
    (dt.datetime(2026, 1, 15, 9, 5), "yyyy/m/d h:mm", "2026/1/15 9:05"),
    (True, "General", "TRUE"), ("  序时进度 ", "General", "序时进度"),
]


def _xlsx(rows, *, hidden_rows=(), hidden_cols=(), merges=(), extra_sheets=()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if isinstance(value, tuple):
                sheet.cell(row=r, column=c, value=value[0]).number_format = value[1]
            elif value is not None:
                sheet.cell(row=r, column=c, value=value)
    for r in hidden_rows:
        sheet.row_dimensions[r].hidden = True
    for letter in hidden_cols:
        sheet.column_dimensions[letter].hidden = True
    for rng in merges:
        sheet.merge_cells(rng)
    for title, state in extra_sheets:
        extra = workbook.create_sheet(title)
        extra["A1"] = f"{title} text"
        extra.sheet_state = state
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _xls(rows, *, hidden_rows=(), merges=(), hidden_sheet=False) -> bytes:
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, tuple):
                sheet.write(r, c, value[0], xlwt.easyxf(num_format_str=value[1]))
            elif value is not None:
                sheet.write(r, c, value)
    for r in hidden_rows:
        sheet.row(r - 1).hidden = True
    for r1, r2, c1, c2, text in merges:
        sheet.write_merge(r1, r2, c1, c2, text)
    return xls_bytes(workbook, hidden_sheet)


@pytest.mark.parametrize(("value", "code", "printed"), PRINTED)
def test_xlsx_prints_values_as_the_sheet_shows_them(value, code, printed):
    doc = read_document("n.xlsx", _xlsx([["标签", (value, code)]]))
    assert grid_texts(doc.tables[0]) == [["标签", printed]]


@pytest.mark.parametrize(("value", "code", "printed"), [p for p in PRINTED if not isinstance(p[0], bool)])
def test_xls_prints_values_as_the_sheet_shows_them(value, code, printed):
    doc = read_document("n.xls", _xls([["标签", (value, code)]]))
    assert grid_texts(doc.tables[0]) == [["标签", printed]]


def test_xlsx_hidden_rows_columns_and_sheets_are_skipped():
    rows = [["项目名称", "内部编号", "拆违经费"], ["草稿行", "x", "不公开"], ["资金总额", "y", 83300],
            ["一级指标", None, "满意度指标"]]
    data = _xlsx(rows, hidden_rows=[2], hidden_cols=["B"], merges=["A3:A4"],
                 extra_sheets=[("隐藏", "hidden"), ("深藏", "veryHidden"), ("附表", "visible")])
    doc = read_document("h.xlsx", data)
    assert [t.source_ref for t in doc.tables] == ["Sheet1", "附表"]
    sheet = doc.tables[0]
    assert grid_texts(sheet) == [["项目名称", "拆违经费"], ["资金总额", "83300"], ["", "满意度指标"]]
    merged = next(c for c in sheet.cells() if c.text == "资金总额")
    assert (merged.row, merged.row_span, merged.source_ref) == (1, 2, "Sheet1!A3")
    assert next(c for c in sheet.cells() if c.text == "83300").source_ref == "Sheet1!C3"


def test_xls_hidden_rows_merges_and_hidden_sheet():
    rows = [["项目名称", "拆违经费"], ["草稿行", "不公开"], [None, 83300], [None, (0.95, "0%")]]
    data = _xls(rows, hidden_rows=[2], merges=[(2, 3, 0, 0, "资金总额")], hidden_sheet=True)
    doc = read_document("h.xls", data)
    (sheet,) = doc.tables
    assert grid_texts(sheet) == [["项目名称", "拆违经费"], ["资金总额", "83300"], ["", "95%"]]
    merged = next(c for c in sheet.cells() if c.text == "资金总额")
    assert (merged.row, merged.row_span, merged.source_ref) == (1, 2, "Sheet1!A3")


def test_sheet_names_that_need_quotes_are_quoted():
    workbook = openpyxl.Workbook()
    workbook.active.title = "2026 项目"
    workbook.active["B2"] = "x"
    out = io.BytesIO()
    workbook.save(out)
    cell = next(read_document("q.xlsx", out.getvalue()).tables[0].cells())
    assert cell.source_ref == "'2026 项目'!A1" and cell.text == ""


def test_a_5000_row_sheet_reads_fine_and_fast():
    rows = [["序号", "三级指标", "全年指标值", "金额"]]
    rows += [[i, f"指标{i}", (0.9, "0%"), 4128.4 + i] for i in range(1, 5000)]
    data = _xlsx(rows)
    started = time.perf_counter()
    doc = read_document("big.xlsx", data)
    seconds = time.perf_counter() - started
    texts = grid_texts(doc.tables[0])
    assert len(texts) == 5000 and texts[4999] == ["4999", "指标4999", "90%", "9127.4"]
    assert seconds < 10, seconds


@pytest.mark.parametrize(("name", "data"), [
    ("broken.xlsx", b"PK\x03\x04" + b"\x00" * 40),
    ("broken.xlsx", b"this is not a workbook at all"),
    ("broken.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
    ("broken.xls", b"not an old workbook either"),
])
def test_corrupt_workbooks(name, data):
    with pytest.raises(ReaderError) as info:
        read_document(name, data)
    assert info.value.code == "corrupt_file"
    assert ("openpyxl" if name.endswith("xlsx") else "xlrd") in info.value.message


def test_truncated_xlsx_names_the_zip_complaint(rendered):
    data = rendered[("000", "xlsx")].read_bytes()
    with pytest.raises(ReaderError) as info:
        read_document("cut.xlsx", data[: len(data) // 2])
    assert info.value.code == "corrupt_file"
    assert "BadZipFile" in info.value.message


class _PublicOnly:
    """An xlrd book or sheet seen only through its public names: what extract/readers/xls.py
    falls back to when xlrd's private row lists or sheet visibility list are not there."""

    def __init__(self, inner):
        self._inner = inner

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._inner, name)

    def sheet_by_index(self, index):
        return _PublicOnly(self._inner.sheet_by_index(index))


def test_xls_reads_the_same_through_the_public_xlrd_calls(rendered):
    import xlrd

    from extract.readers import xls

    data = rendered[("004", "xls")].read_bytes()
    book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    fast = [(sheet.name, xls._sheet_texts(book, sheet, {})) for sheet in xls._visible_sheets(book)]
    public = _PublicOnly(book)
    slow = [(sheet.name, xls._sheet_texts(book, sheet, {})) for sheet in xls._visible_sheets(public)]
    assert fast == slow and len(fast) == 1 and fast[0][1]
    hidden = _xls([["a"]], hidden_sheet=True)
    book = xlrd.open_workbook(file_contents=hidden, formatting_info=True, on_demand=True)
    assert [s.name for s in xls._visible_sheets(book)] == [s.name for s in xls._visible_sheets(_PublicOnly(book))]
    assert book.nsheets == 2 and len(list(xls._visible_sheets(book))) == 1
