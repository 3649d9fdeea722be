"""What .xlsx and .xls have in common once their library has read them: a sheet is a table
of its visible rows and columns, merged ranges are spans, and each cell is located by its
address (`Sheet1!C12`). The format readers only say what is visible, merged and printed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from extract.readers.model import Cell, Table, build_table
from extract.readers.textnorm import clean_text

_PLAIN_SHEET_NAME = re.compile(r"[^\W\d]\w*")


def sheet_ref(name: str) -> str:
    """A sheet name as a formula writes it: bare when it is a plain word, else quoted."""
    if _PLAIN_SHEET_NAME.fullmatch(name):
        return name
    return "'" + name.replace("'", "''") + "'"


def column_letter(col: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Merge:
    """A merged range, 1-based and inclusive as the sheet counts."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int


def sheet_table(name: str, n_rows: int, n_cols: int, hidden_rows: set[int], hidden_cols: set[int],
                merges: Iterable[Merge], text_at: Callable[[int, int], str]) -> Table | None:
    """The table of one sheet: rows 1..n_rows and columns 1..n_cols less the hidden ones, trailing
    empty rows and columns dropped, each merged range one cell spanning its visible part (its
    text is the range's top-left value, where spreadsheets keep it). None for an empty sheet."""
    rows = [r for r in range(1, n_rows + 1) if r not in hidden_rows]
    cols = [c for c in range(1, n_cols + 1) if c not in hidden_cols]
    grid_row = {r: i for i, r in enumerate(rows)}
    grid_col = {c: i for i, c in enumerate(cols)}
    ref = sheet_ref(name)
    covered: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for merge in merges:
        span_rows = [r for r in range(merge.first_row, merge.last_row + 1) if r in grid_row]
        span_cols = [c for c in range(merge.first_col, merge.last_col + 1) if c in grid_col]
        if not span_rows or not span_cols:
            continue
        covered.update((r, c) for r in span_rows for c in span_cols)
        text = clean_text(text_at(merge.first_row, merge.first_col))
        origin_row, origin_col = span_rows[0], span_cols[0]
        cells.append(Cell(text, grid_row[origin_row], grid_col[origin_col], len(span_rows), len(span_cols),
                          f"{ref}!{column_letter(origin_col)}{origin_row}"))
    for r in rows:
        for c in cols:
            if (r, c) not in covered:
                cells.append(Cell(clean_text(text_at(r, c)), grid_row[r], grid_col[c], 1, 1,
                                  f"{ref}!{column_letter(c)}{r}"))
    return _trimmed(cells, ref)


def _trimmed(cells: list[Cell], ref: str) -> Table | None:
    """Drop the rows and columns after the last text (formatting often reaches far past the
    data): the table ends where its last non-empty cell ends."""
    filled = [cell for cell in cells if cell.text]
    if not filled:
        return None
    last_row = max(cell.last_row for cell in filled)
    last_col = max(cell.last_col for cell in filled)
    kept = [cell for cell in cells if cell.row <= last_row and cell.col <= last_col]
    return build_table(kept, source_ref=ref, n_rows=last_row + 1, n_cols=last_col + 1)
