"""What .xlsx and .xls have in common once their library has read them: a sheet is a table
of its visible rows and columns, merged ranges are spans, and each cell is located by its
address (`Sheet1!C12`). The format readers only say what is visible, merged and printed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from extract.readers.model import Cell, Table
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
    """The table of one sheet from a function giving the text at (row, col), 1-based (see
    `grid_table`; this asks for every position's text and cleans it)."""
    texts = [[clean_text(text_at(r, c)) for c in range(1, n_cols + 1)] for r in range(1, n_rows + 1)]
    return grid_table(name, texts, n_cols, hidden_rows, hidden_cols, merges)


def _last_filled(line: Sequence[str], width: int) -> int:
    """The index of the last non-empty text among the first `width`, -1 when there is none."""
    for j in range(min(len(line), width) - 1, -1, -1):
        if line[j]:
            return j
    return -1


def grid_table(name: str, texts: Sequence[Sequence[str]], n_cols: int, hidden_rows: set[int],
               hidden_cols: set[int], merges: Iterable[Merge]) -> Table | None:
    """The table of one sheet: rows 1..len(texts) and columns 1..n_cols less the hidden ones,
    trailing empty rows and columns dropped, each merged range one cell spanning its visible
    part (its text is the range's top-left value, where spreadsheets keep it). None for an empty
    sheet. `texts[r - 1][c - 1]` is the printed text of cell (r, c), already cleaned
    (`clean_text`); a row may be shorter than `n_cols`, the rest of it is empty.

    The table ends where its last non-empty cell ends, and only the cells up to there are
    made: formatting often reaches far past the data."""
    n_rows = len(texts)
    rows = [r for r in range(1, n_rows + 1) if r not in hidden_rows]
    cols = [c for c in range(1, n_cols + 1) if c not in hidden_cols]
    grid_row = {r: i for i, r in enumerate(rows)}
    grid_col = {c: i for i, c in enumerate(cols)}
    ref = sheet_ref(name)

    def text_at(r: int, c: int) -> str:
        line = texts[r - 1] if r <= n_rows else ()
        return line[c - 1] if c <= len(line) else ""

    covered: dict[int, set[int]] = {}  # grid row → its grid columns inside a merged range
    merged: dict[int, dict[int, list[Cell]]] = {}  # grid row → grid column → the merged cells there, in order
    last_row = last_col = -1  # where the last text ends
    new = tuple.__new__
    for merge in merges:
        span_rows = [grid_row[r] for r in range(merge.first_row, merge.last_row + 1) if r in grid_row]
        span_cols = [grid_col[c] for c in range(merge.first_col, merge.last_col + 1) if c in grid_col]
        if not span_rows or not span_cols:
            continue
        for i in span_rows:
            covered.setdefault(i, set()).update(span_cols)
        text = text_at(merge.first_row, merge.first_col)
        i, j = span_rows[0], span_cols[0]
        cell = new(Cell, (text, i, j, len(span_rows), len(span_cols), f"{ref}!{column_letter(cols[j])}{rows[i]}", None))
        merged.setdefault(i, {}).setdefault(j, []).append(cell)
        if text:
            last_row, last_col = max(last_row, cell.last_row), max(last_col, cell.last_col)
    width = len(cols)
    if hidden_cols or any(len(line) < n_cols for line in texts):
        visible = [[line[c - 1] if c <= len(line) else "" for c in cols] for line in (texts[r - 1] for r in rows)]
    else:
        visible = [texts[r - 1] for r in rows]  # every column shown: a row's texts are its cells'

    def last_text(i: int) -> int:
        """The grid column of row i's last text outside the merged ranges, -1 when none."""
        line, row_covered = visible[i], covered.get(i)
        if not row_covered:
            return _last_filled(line, width)
        return max((j for j, text in enumerate(line[:width]) if text and j not in row_covered), default=-1)

    for i in range(len(visible) - 1, last_row, -1):  # the last row with a text: looked for from the bottom
        if any(visible[i]) and last_text(i) >= 0:
            last_row = i
            break
    for i in range(last_row + 1):  # the last column with a text, until one reaches the right edge
        if last_col == width - 1:
            break
        last_col = max(last_col, last_text(i))
    if last_row < 0:
        return None
    prefixes = [f"{ref}!{column_letter(c)}" for c in cols[:last_col + 1]]
    table_rows: list[tuple[Cell, ...]] = []
    n_table_rows, n_table_cols = last_row + 1, last_col + 1
    kept_cols = range(last_col + 1)
    for i, line in enumerate(visible[:last_row + 1]):
        number = str(rows[i])
        row_covered = covered.get(i)
        if not row_covered:
            table_rows.append(tuple([new(Cell, (line[j], i, j, 1, 1, prefixes[j] + number, None)) for j in kept_cols]))
            continue
        origins = merged.get(i)
        if not origins:  # only covered from above: the other positions in order
            table_rows.append(tuple([new(Cell, (line[j], i, j, 1, 1, prefixes[j] + number, None))
                                     for j in kept_cols if j not in row_covered]))
            continue
        cells = []
        for j in range(last_col + 1):
            for cell in origins.get(j, ()):
                cells.append(cell)
                n_table_rows = max(n_table_rows, cell.last_row + 1)
                n_table_cols = max(n_table_cols, cell.last_col + 1)
            if j not in row_covered:
                cells.append(new(Cell, (line[j], i, j, 1, 1, prefixes[j] + number, None)))
        table_rows.append(tuple(cells))
    table_rows.extend(() for _ in range(n_table_rows - len(table_rows)))  # under a merge reaching past the text
    return Table(tuple(table_rows), n_table_cols, ref)
