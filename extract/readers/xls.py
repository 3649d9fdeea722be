"""Excel 97-2003 workbooks → the model, on xlrd with `formatting_info`, which is what makes
xlrd report merged ranges, hidden rows and columns and each cell's number format."""

from __future__ import annotations

import xlrd
from xlrd.compdoc import CompDocError

from extract.readers.errors import ReaderError
from extract.readers.model import Document, Table
from extract.readers.numfmt import format_date, format_value
from extract.readers.sheet import Merge, sheet_table


def _format_code(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, r: int, c: int) -> str | None:
    xf = book.xf_list[sheet.cell_xf_index(r, c)]
    number_format = book.format_map.get(xf.format_key)
    return number_format.format_str if number_format is not None else None


def _cell_text(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, r: int, c: int) -> str:
    """The printed text of cell (r, c), 0-based as xlrd counts."""
    kind = sheet.cell_type(r, c)
    value = sheet.cell_value(r, c)
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    if kind == xlrd.XL_CELL_TEXT:
        return value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return "TRUE" if value else "FALSE"
    if kind == xlrd.XL_CELL_ERROR:
        return xlrd.error_text_from_code.get(value, "#ERR")
    code = _format_code(book, sheet, r, c)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return format_date(xlrd.xldate.xldate_as_datetime(value, book.datemode), code)
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return format_value(value, None)
    return format_value(value, code)


def _sheet_table(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet) -> Table | None:
    hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
    hidden_cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
    merges = [Merge(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
    return sheet_table(sheet.name, sheet.nrows, sheet.ncols, hidden_rows, hidden_cols, merges,
                       lambda r, c: _cell_text(book, sheet, r - 1, c - 1) if c <= sheet.row_len(r - 1) else "")


def read_xls(name: str, data: bytes) -> Document:
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, CompDocError, AssertionError, IndexError, ValueError, KeyError) as err:
        raise ReaderError("corrupt_file", f"xlrd could not open the workbook: {type(err).__name__}: {err}",
                          None) from err
    try:
        tables = []
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            if sheet.visibility == 0 and (table := _sheet_table(book, sheet)) is not None:
                tables.append(table)
    except (xlrd.XLRDError, CompDocError, AssertionError, IndexError, ValueError, KeyError) as err:
        raise ReaderError("corrupt_file", f"xlrd could not read a sheet: {type(err).__name__}: {err}",
                          None) from err
    finally:
        book.release_resources()
    if not tables:
        raise ReaderError("empty_document", "no visible sheet holds any text", None)
    return Document(name=name, format="xls", blocks=tuple(tables))
