"""Excel 2007+ workbooks → the model, on openpyxl. Not read-only mode: only the full mode
knows merged ranges and row/column visibility. Cached formula results are read (`data_only`),
because a published workbook shows the result, not the formula."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections.abc import Iterable

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from extract.readers.errors import ReaderError
from extract.readers.model import Document, Table
from extract.readers.numfmt import format_value
from extract.readers.sheet import Merge, grid_table
from extract.readers.textnorm import CELL_SPACE, clean_text


def _hidden_columns(sheet) -> set[int]:
    hidden: set[int] = set()
    for dimension in sheet.column_dimensions.values():
        if dimension.hidden and dimension.min and dimension.max:
            hidden.update(range(dimension.min, dimension.max + 1))
    return hidden


def _cells(sheet) -> Iterable:
    """The cells the sheet holds. openpyxl keeps them in `_cells`; asking `iter_rows` for the
    used range would make an empty cell object for every position nothing was written to."""
    cells = getattr(sheet, "_cells", None)
    if isinstance(cells, dict):
        return cells.values()
    return (cell for row in sheet.iter_rows(min_row=1, max_row=sheet.max_row, max_col=sheet.max_column)
            for cell in row)


def _printed(sheet, printed: dict) -> dict[tuple[int, int], str]:
    """(row, col) → the text of each cell that prints one. A number's or date's text depends only
    on its value and its number format, and forms repeat both: `printed` keeps each (keyed by
    the value's type too: True == 1, and 0.0 and -0.0 print apart)."""
    values: dict[tuple[int, int], str] = {}
    for cell in _cells(sheet):
        value = cell.value
        if value is None:
            continue
        if value.__class__ is str:
            text = value  # format_value prints a string as it is
        else:
            key = (value.__class__, value if value or value.__class__ is not float else repr(value), cell.number_format)
            text = printed.get(key)
            if text is None:
                text = printed[key] = format_value(value, key[2])
        if text:
            values[(cell.row, cell.column)] = text
    return values


def _sheet_table(sheet, printed: dict) -> Table | None:
    values = _printed(sheet, printed)
    hidden_rows = {r for r, dimension in sheet.row_dimensions.items() if dimension.hidden}
    merges = [Merge(rng.min_row, rng.min_col, rng.max_row, rng.max_col) for rng in sheet.merged_cells.ranges]
    # The used range as far as the text goes: styled but empty cells do not widen the table
    n_rows = max((r for r, _ in values), default=0)
    n_cols = max((c for _, c in values), default=0)
    texts = [[""] * n_cols for _ in range(n_rows)]
    for (r, c), text in values.items():
        texts[r - 1][c - 1] = text.strip(CELL_SPACE) if "\n" not in text and "\r" not in text else clean_text(text)
    return grid_table(sheet.title, texts, n_cols, hidden_rows, _hidden_columns(sheet), merges)


def read_xlsx(name: str, data: bytes) -> Document:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it drops
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
        raise ReaderError("corrupt_file", f"openpyxl could not open the workbook: {type(err).__name__}: {err}",
                          None) from err
    try:
        printed: dict = {}
        tables = [table for sheet in workbook.worksheets if sheet.sheet_state == "visible"
                  if (table := _sheet_table(sheet, printed)) is not None]
    finally:
        workbook.close()
    if not tables:
        raise ReaderError("empty_document", "no visible sheet holds any text", None)
    return Document(name=name, format="xlsx", blocks=tuple(tables))
