"""What .xlsx and .xls have in common once their library has read them: a sheet is a table
of its visible rows and columns, merged ranges are spans, and each cell is located by its
address (`Sheet1!C12`). The format readers only say what is visible, merged and printed."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import partial

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


def _merged_cells(texts: Sequence[Sequence[str]], rows: list[int], cols: list[int], merges: Iterable[Merge],
                  ref: str) -> tuple[dict[int, set[int]], dict[int, dict[int, list[Cell]]], int, int]:
    """The merged ranges as cells of the grid of `rows` × `cols` (the visible sheet rows and
    columns, ascending): the grid columns each grid row has inside a range, the range cells by
    their origin's grid row and column (in the order given), and the last grid row and column a
    range with a text reaches (-1: none). A range's visible part is a run of grid rows and
    columns, found by bisecting the visible ones; a range with no visible position is dropped."""
    covered: dict[int, set[int]] = {}
    merged: dict[int, dict[int, list[Cell]]] = {}
    last_row = last_col = -1
    new = tuple.__new__
    for merge in merges:
        top, bottom = bisect_left(rows, merge.first_row), bisect_right(rows, merge.last_row)
        left, right = bisect_left(cols, merge.first_col), bisect_right(cols, merge.last_col)
        if top >= bottom or left >= right:
            continue
        span_cols = range(left, right)
        for i in range(top, bottom):
            covered.setdefault(i, set()).update(span_cols)
        line = texts[merge.first_row - 1] if merge.first_row <= len(texts) else ()
        text = line[merge.first_col - 1] if merge.first_col <= len(line) else ""
        cell = new(Cell, (text, top, left, bottom - top, right - left,
                          f"{ref}!{column_letter(cols[left])}{rows[top]}", None))
        merged.setdefault(top, {}).setdefault(left, []).append(cell)
        if text:
            last_row, last_col = max(last_row, bottom - 1), max(last_col, right - 1)
    return covered, merged, last_row, last_col


def _merged_row(line: Sequence[str], row_covered: set[int],
                origins: dict[int, list[Cell]] | None) -> tuple[tuple[str, ...], list[int], list[Cell]]:
    """A grid row inside merged ranges, `line` its texts up to the table's last column: its texts
    with the ranges' positions emptied (a range holds no cell of its own there) and the ranges'
    texts at the origins the row holds, trailing positions without a cell dropped, the columns
    of its own (1×1) cells, and the range cells whose origin it holds, left to right."""
    texts = list(line)
    kept = len(texts)
    for j in row_covered:
        if j < kept:
            texts[j] = ""
    own = [j for j in range(kept) if j not in row_covered]
    width = own[-1] + 1 if own else 0
    cells = [cell for j in sorted(origins) if j < kept for cell in origins[j]] if origins else []
    for cell in cells:
        end = cell.col + cell.col_span
        if end > len(texts):  # a merged range reaching past the last column with a text
            texts.extend([""] * (end - len(texts)))
        width = max(width, end)
        texts[cell.col] = cell.text
    return tuple(texts[:width]), own, cells


def _cell_ref(ref: str, rows: Sequence[int], cols: Sequence[int], row: int, col: int) -> str:
    """The address of the cell at grid (row, col) of the sheet `ref` whose visible rows and
    columns are `rows` and `cols` (`Sheet1!C12`): made only when the pipeline asks for it."""
    return f"{ref}!{column_letter(cols[col])}{rows[row]}"


def grid_table(name: str, texts: Sequence[Sequence[str]], n_cols: int, hidden_rows: set[int],
               hidden_cols: set[int], merges: Iterable[Merge]) -> Table | None:
    """The table of one sheet: rows 1..len(texts) and columns 1..n_cols less the hidden ones,
    trailing empty rows and columns dropped, each merged range one cell spanning its visible
    part (its text is the range's top-left value, where spreadsheets keep it). None for an empty
    sheet. `texts[r - 1][c - 1]` is the printed text of cell (r, c), already cleaned
    (`clean_text`); a row may be shorter than `n_cols`, the rest of it is empty.

    The table ends where its last non-empty cell ends, and only the positions up to there are
    read: formatting often reaches far past the data. The table is given as its rows' texts, the
    columns of the 1×1 cells of the rows inside merged ranges, and its merged cells
    (`Table.laid_out`), what the layout code reads: no other cell is made unless something
    reads the table's `rows`, and no cell's address unless the pipeline asks for it
    (`_cell_ref`). A row outside every merged range (most rows of a form) is its texts as given
    when it shows all its columns: a tuple row is kept as it is (extract/readers/xls.py gives
    tuples)."""
    n_rows = len(texts)
    rows = [r for r in range(1, n_rows + 1) if r not in hidden_rows]
    cols = [c for c in range(1, n_cols + 1) if c not in hidden_cols]
    ref = sheet_ref(name)
    covered, merged, last_row, last_col = _merged_cells(texts, rows, cols, merges, ref)
    width = len(cols)
    if hidden_cols or min(map(len, texts), default=n_cols) < n_cols:
        visible = [[line[c - 1] if c <= len(line) else "" for c in cols] for line in (texts[r - 1] for r in rows)]
    else:  # every column shown: a row's texts are its cells'
        visible = [texts[r - 1] for r in rows] if hidden_rows else texts

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
    kept = last_col + 1
    row_texts: list[tuple[str, ...]] = []
    ones: dict[int, list[int]] = {}  # grid row → its 1×1 cells' columns, for a row inside merged ranges
    others: dict[int, tuple[Cell, ...]] = {}  # grid row → the merged cells whose origin it holds
    n_table_rows, n_table_cols = last_row + 1, kept
    for i, line in enumerate(visible[:last_row + 1]):
        row_covered = covered.get(i)
        if row_covered is None:
            row_texts.append(tuple(line[:kept]))
            continue
        here, ones[i], cells = _merged_row(line[:kept], row_covered, merged.get(i))
        row_texts.append(here)
        if cells:
            others[i] = tuple(cells)
            n_table_rows = max(n_table_rows, *(cell.row + cell.row_span for cell in cells))
            n_table_cols = max(n_table_cols, *(cell.col + cell.col_span for cell in cells))
    for _ in range(n_table_rows - len(row_texts)):  # under a merge reaching past the text
        row_texts.append(())
    return Table.laid_out(tuple(row_texts), ones, others, n_table_cols, ref, partial(_cell_ref, ref, rows, cols))
