"""What .xlsx and .xls have in common once their library has read them: a sheet is a table
of its visible rows and columns, merged ranges are spans, and each cell is located by its
address (`Sheet1!C12`). The format readers only say what is visible, merged and printed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

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

    The table ends where its last non-empty cell ends, and only the positions up to there are
    read: formatting often reaches far past the data. The table is given as its rows' texts and
    refs and its merged cells (`Table.laid_out`), what the layout code reads: no other cell is
    made unless something reads the table's `rows`."""
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
    row_texts: list[tuple[str, ...]] = []
    row_refs: list[tuple[str, ...]] = []
    others: dict[int, tuple[Cell, ...]] = {}  # grid row → the merged cells whose origin it holds
    n_table_rows, n_table_cols = last_row + 1, last_col + 1
    kept = last_col + 1
    for i, line in enumerate(visible[:last_row + 1]):
        number = str(rows[i])
        row_covered = covered.get(i)
        if not row_covered:
            row_texts.append(tuple(line[:kept]))
            row_refs.append(tuple(map(str.__add__, prefixes, repeat(number, kept))))
            continue
        texts, refs = list(line[:kept]), list(map(str.__add__, prefixes, repeat(number, kept)))
        for j in row_covered:  # a merged range's positions hold no cell of their own
            if j < kept:
                texts[j] = refs[j] = ""
        width = kept
        while width and not refs[width - 1]:
            width -= 1
        origins = merged.get(i)
        cells = [cell for j in sorted(origins) if j < kept for cell in origins[j]] if origins else []
        for cell in cells:
            end = cell.col + cell.col_span
            if end > len(texts):  # a merged range reaching past the last column with a text
                texts.extend([""] * (end - len(texts)))
                refs.extend([""] * (end - len(refs)))
            width = max(width, end)
            texts[cell.col] = cell.text
            n_table_rows = max(n_table_rows, cell.last_row + 1)
            n_table_cols = max(n_table_cols, cell.last_col + 1)
        row_texts.append(tuple(texts[:width]))
        row_refs.append(tuple(refs[:width]))
        if cells:
            others[i] = tuple(cells)
    for _ in range(n_table_rows - len(row_texts)):  # under a merge reaching past the text
        row_texts.append(())
        row_refs.append(())
    return Table.laid_out(tuple(row_texts), tuple(row_refs), others, n_table_cols, ref)
