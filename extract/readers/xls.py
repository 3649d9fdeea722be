"""Excel 97-2003 workbooks → the model, on xlrd with `formatting_info`, which is what makes
xlrd report merged ranges, hidden rows and columns and each cell's number format."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from itertools import repeat

import xlrd
from xlrd.compdoc import CompDocError

from extract.readers.errors import ReaderError
from extract.readers.model import Document, Table
from extract.readers.numfmt import format_date, format_value
from extract.readers.sheet import Merge, grid_table
from extract.readers.textnorm import CELL_SPACE, clean_text


def _format_code(book: xlrd.book.Book, xf_index: int) -> str | None:
    number_format = book.format_map.get(book.xf_list[xf_index].format_key)
    return number_format.format_str if number_format is not None else None


def _number_text(book: xlrd.book.Book, kind: int, value: float, xf_index: int) -> str:
    """A number or date cell as printed (its cell's number format), cleaned."""
    code = _format_code(book, xf_index)
    if kind == xlrd.XL_CELL_DATE:
        try:
            return clean_text(format_date(xlrd.xldate.xldate_as_datetime(value, book.datemode), code))
        except (xlrd.xldate.XLDateError, OverflowError, ValueError):
            return clean_text(format_value(value, None))
    return clean_text(format_value(value, code))


_TEXTUAL = frozenset({xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_TEXT})  # the value is the text
_NUMERIC = frozenset({xlrd.XL_CELL_NUMBER, xlrd.XL_CELL_DATE})
_UNCLEAN = re.compile(f"[{CELL_SPACE}\n\r]")  # what clean_text removes or rewrites: a text without any is clean


def _sheet_cells(sheet: xlrd.sheet.Sheet) -> tuple[Sequence[Sequence[int]], Sequence[list]]:
    """The sheet's cell types and values, row by row, not to be changed. xlrd (2.0, pinned in
    pyproject.toml) keeps them as one list per row, and its public `row_types`/`row_values`
    are a Python call and a copy of the row each (~1.5k instructions against ~0.25k for the
    list item: ~5% of the Python the reader and rows_of add to xlrd on the rendered samples).
    The public calls are the fallback, as extract/readers/xlsx.py does for openpyxl's cells."""
    types, values = getattr(sheet, "_cell_types", None), getattr(sheet, "_cell_values", None)
    if isinstance(types, list) and isinstance(values, list) and len(types) == len(values) == sheet.nrows:
        return types, values
    return [sheet.row_types(r) for r in range(sheet.nrows)], [sheet.row_values(r) for r in range(sheet.nrows)]


def _printed_values(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, r: int, types: Sequence[int], values: list,
                    printed: dict) -> list:
    """Row r's values with each number, date, boolean and error as the sheet prints it
    (cleaned); text and empty cells as they are. A number's text depends only on its value and
    its cell's format, and forms repeat both: `printed` keeps each."""
    texts = list(values)
    for c, kind in enumerate(types):
        if kind in _TEXTUAL:
            continue
        value = values[c]
        if kind in _NUMERIC:
            key = (kind, value if value else repr(value), sheet.cell_xf_index(r, c))  # 0.0 and -0.0 print apart
            text = printed.get(key)
            if text is None:
                text = printed[key] = _number_text(book, kind, value, key[2])
        elif kind == xlrd.XL_CELL_BOOLEAN:
            text = "TRUE" if value else "FALSE"
        else:  # XL_CELL_ERROR
            text = clean_text(xlrd.error_text_from_code.get(value, "#ERR"))
        texts[c] = text
    return texts


def _sheet_texts(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, printed: dict) -> list[tuple[str, ...]]:
    """The printed texts of the sheet, row by row, cleaned (`clean_text`, which leaves a printed
    number as it is). Most rows are text and empty cells only, and most of those hold no space
    or line break at all: such a row is its values, found by one search of the joined row;
    any other is cleaned in one `map`. Rows are tuples: `grid_table` keeps a row that shows all
    its columns as it is, without copying it."""
    textual, unclean, strip, space = _TEXTUAL, _UNCLEAN.search, str.strip, repeat(CELL_SPACE)
    rows = []
    for r, (types, values) in enumerate(zip(*_sheet_cells(sheet), strict=True)):
        if not textual.issuperset(types):
            values = _printed_values(book, sheet, r, types, values, printed)
        joined = "".join(values)
        if unclean(joined) is None:
            rows.append(tuple(values))
        elif "\n" in joined or "\r" in joined:
            rows.append(tuple(map(clean_text, values)))
        else:
            rows.append(tuple(map(strip, values, space)))
    return rows


def _sheet_table(book: xlrd.book.Book, sheet: xlrd.sheet.Sheet, printed: dict) -> Table | None:
    hidden_rows = {r + 1 for r, info in sheet.rowinfo_map.items() if info.hidden}
    hidden_cols = {c + 1 for c, info in sheet.colinfo_map.items() if info.hidden}
    merges = [Merge(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in sheet.merged_cells]
    texts = _sheet_texts(book, sheet, printed)
    return grid_table(sheet.name, texts, sheet.ncols, hidden_rows, hidden_cols, merges)


def _visible_sheets(book: xlrd.book.Book) -> Iterator[xlrd.sheet.Sheet]:
    """The workbook's visible sheets, in order, each loaded (the book is opened `on_demand`) only
    if visible. A sheet's visibility is in the workbook's sheet list (BOUNDSHEET), which xlrd
    keeps in `Book._sheet_visibility` and copies into `Sheet.visibility` as it loads the sheet:
    loading a hidden sheet only to skip it cost a few percent of the whole read of a rendered
    sample (each has a hidden draft sheet). Without that list, every sheet is loaded and asked."""
    known = getattr(book, "_sheet_visibility", None)
    if not isinstance(known, list) or len(known) != book.nsheets:
        known = None
    for index in range(book.nsheets):
        if known is not None and known[index] != 0:
            continue
        sheet = book.sheet_by_index(index)
        if sheet.visibility == 0:
            yield sheet


def read_xls(name: str, data: bytes) -> Document:
    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=True)
    except (xlrd.XLRDError, CompDocError, AssertionError, IndexError, ValueError, KeyError) as err:
        raise ReaderError("corrupt_file", f"xlrd could not open the workbook: {type(err).__name__}: {err}",
                          None) from err
    try:
        tables = []
        printed: dict = {}
        for sheet in _visible_sheets(book):
            if (table := _sheet_table(book, sheet, printed)) is not None:
                tables.append(table)
    except (xlrd.XLRDError, CompDocError, AssertionError, IndexError, ValueError, KeyError) as err:
        raise ReaderError("corrupt_file", f"xlrd could not read a sheet: {type(err).__name__}: {err}",
                          None) from err
    finally:
        book.release_resources()
    if not tables:
        raise ReaderError("empty_document", "no visible sheet holds any text", None)
    return Document(name=name, format="xls", blocks=tuple(tables))
