"""Excel 2007+ workbooks → the model, on openpyxl. Not read-only mode: only the full mode
knows merged ranges and row/column visibility. Cached formula results are read (`data_only`),
because a published workbook shows the result, not the formula."""

from __future__ import annotations

import io
import warnings
import zipfile

import openpyxl
from openpyxl.utils.exceptions import InvalidFileException

from extract.readers.errors import ReaderError
from extract.readers.model import Document, Table
from extract.readers.numfmt import format_value
from extract.readers.sheet import Merge, sheet_table


def _hidden_columns(sheet) -> set[int]:
    hidden: set[int] = set()
    for dimension in sheet.column_dimensions.values():
        if dimension.hidden and dimension.min and dimension.max:
            hidden.update(range(dimension.min, dimension.max + 1))
    return hidden


def _sheet_table(sheet) -> Table | None:
    n_rows, n_cols = sheet.max_row, sheet.max_column
    values: dict[tuple[int, int], str] = {}
    for row in sheet.iter_rows(min_row=1, max_row=n_rows, max_col=n_cols):
        for cell in row:
            if cell.value is not None and (text := format_value(cell.value, cell.number_format)):
                values[(cell.row, cell.column)] = text
    hidden_rows = {r for r, dimension in sheet.row_dimensions.items() if dimension.hidden}
    merges = [Merge(rng.min_row, rng.min_col, rng.max_row, rng.max_col) for rng in sheet.merged_cells.ranges]
    # The used range as far as the text goes: styled but empty cells do not widen the table
    n_rows = max((r for r, _ in values), default=0)
    n_cols = max((c for _, c in values), default=0)
    return sheet_table(sheet.title, n_rows, n_cols, hidden_rows, _hidden_columns(sheet), merges,
                       lambda r, c: values.get((r, c), ""))


def read_xlsx(name: str, data: bytes) -> Document:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles and extensions it drops
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, TypeError) as err:
        raise ReaderError("corrupt_file", f"openpyxl could not open the workbook: {type(err).__name__}: {err}",
                          None) from err
    try:
        tables = [table for sheet in workbook.worksheets if sheet.sheet_state == "visible"
                  if (table := _sheet_table(sheet)) is not None]
    finally:
        workbook.close()
    if not tables:
        raise ReaderError("empty_document", "no visible sheet holds any text", None)
    return Document(name=name, format="xlsx", blocks=tuple(tables))
