"""A read document (extract/readers) → the rows the layout code walks, in reading order.

The layout code (forms, header fields, funding block, indicator tables, report prose) reads
rows of cells, never a format: a paragraph is a row of one cell (each of its lines one row, as
a text file prints them), a table is its grid rows. A merged cell gives its text at its origin
only and tells the rows below it that it covers them (`Row.covered`): that is how a 一级指标
label spanning rows reaches each row it spans (fill `span`), where the text format leaves the
same rows blank and the content rules fill them.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from itertools import repeat
from operator import attrgetter, itemgetter

from extract.cells import Row
from extract.readers.model import Cell, Document, LaidOut, Paragraph, Table, resolve_grid

_TEXT_FORMAT = "text"
_TEXT_OF = itemgetter(1)
_REF = attrgetter("source_ref")
_COL, _ROW_SPAN, _COL_SPAN = itemgetter(2), itemgetter(3), itemgetter(4)  # of a Cell, a tuple
_FIRST_COLS = tuple(tuple(range(width)) for width in range(64))
# Stands in the grid for "no cell covers this position": no ref, and an origin below every row
_NO_CELL = Cell("", sys.maxsize, sys.maxsize, 1, 1, "", None)


def _filled(texts: tuple[str, ...]) -> tuple[tuple[int, str], ...]:
    """(column, text) of the non-empty cells, picked in C (`filter`), as extract/cells.py does."""
    return tuple(filter(_TEXT_OF, enumerate(texts)))


def rows_of(document: Document) -> list[Row]:
    """The document's rows; a text document's rows are numbered by their lines (so `line_no`
    is the line), every other format's by their order."""
    if document.format == _TEXT_FORMAT:
        return _text_rows(document)
    rows: list[Row] = []
    for block in document.blocks:
        if isinstance(block, Paragraph):
            _paragraph_rows(block, rows)
        else:
            _table_rows(block, rows, by_line=False)
    return rows


def _text_rows(document: Document) -> list[Row]:
    """A text document's rows, numbered by their lines: a paragraph is its one line, a table
    (the text reader's: no spans) its row texts and lines, its cells never read. Every text
    file takes this loop, so it is the one loop, with nothing called per row but `Row`."""
    rows: list[Row] = []
    append = rows.append
    for block in document.blocks:
        if block.__class__ is Paragraph:
            text, line = block.text, block.source_line
            append(Row(line, (text,), ((0, text),), line))
        elif block.has_spans:  # a table no text reader makes today, read as any other
            _table_rows(block, rows, True)
        else:
            for row_texts, line in zip(block.row_texts(), block.row_lines(), strict=True):
                append(Row(line, row_texts, tuple(filter(_TEXT_OF, enumerate(row_texts))), line))
    return rows


def _paragraph_rows(paragraph: Paragraph, rows: list[Row]) -> None:
    """A paragraph of a format without lines: each of its lines a row, numbered by its order."""
    for line in paragraph.text.split("\n"):
        text = line.strip()
        if text:
            rows.append(Row(len(rows) + 1, (text,), ((0, text),), None, (paragraph.source_ref,)))


def _table_rows(table: Table, rows: list[Row], by_line: bool) -> None:
    """A table's rows; `by_line` (a text document's table with spans) numbers them by line."""
    texts = table.row_texts()
    laid_out = table.laid_out_rows() if not by_line else None
    if laid_out is not None:
        _laid_out_rows(table, texts, laid_out, rows)
        return
    if table.has_spans and not by_line:
        _spanned_rows(table, texts, rows)
        return
    if not by_line:
        for cells, row_texts in zip(table.rows, texts, strict=True):
            refs = [""] * len(row_texts)
            for cell in cells:
                refs[cell.col] = cell.source_ref
            rows.append(Row(len(rows) + 1, row_texts, _filled(row_texts), None, tuple(refs)))
        return
    for grid_row, (row_texts, slots) in enumerate(zip(texts, resolve_grid(table), strict=True)):
        filled = _filled(row_texts)
        covered = {col: slot.cell.text for col, slot in enumerate(slots)
                   if slot is not None and slot.cell.row < grid_row and slot.cell.text}
        refs = tuple(slot.cell.source_ref if slot is not None else "" for slot in slots)
        line = next((slot.cell.source_line for slot in slots if slot is not None and slot.is_origin), None)
        position = line if by_line and line is not None else len(rows) + 1
        rows.append(Row(position, row_texts, filled, line if by_line else None, () if by_line else refs, covered))


def _spanned_rows(table: Table, texts: tuple[tuple[str, ...], ...], rows: list[Row]) -> None:
    """The rows of a table with spans (a format without lines): what `resolve_grid` gives, taken
    without a `GridSlot` per position. A row that holds no span and that no span from above
    reaches (most rows of a form) is its cells, left to right from column 0: its refs are one
    `map` in C. Any other row is placed as `resolve_grid` places it: each position keeps its
    first claimant in reading order, spans clipped at the table's edges, and the texts a span
    brings down from a row above are noted as it is placed."""
    n_rows, n_cols = table.n_rows, table.n_cols
    lines: dict[int, list[Cell]] = {}  # grid rows below the current one that a span reaches
    covered: dict[int, dict[int, str]] = {}
    for r, (cells, row_texts) in enumerate(zip(table.rows, texts, strict=True)):
        width = len(cells)
        if (r not in lines and width <= n_cols and max(map(_ROW_SPAN, cells), default=1) == 1
                and max(map(_COL_SPAN, cells), default=1) == 1 and tuple(map(_COL, cells)) == _first_cols(width)):
            refs = tuple(map(_REF, cells)) + ("",) * (n_cols - width)
            rows.append(Row(len(rows) + 1, row_texts, _filled(row_texts), None, refs, {}))
            continue
        line = lines.pop(r, None) or [_NO_CELL] * n_cols
        for cell in cells:
            _place(cell, line, lines, covered, n_rows, n_cols)
        rows.append(Row(len(rows) + 1, row_texts, _filled(row_texts), None, tuple(map(_REF, line)),
                        covered.pop(r, {})))


def _laid_out_rows(table: Table, texts: tuple[tuple[str, ...], ...], laid_out: LaidOut, rows: list[Row]) -> None:
    """The rows of a `Table.laid_out` table (the web page and sheet readers'), from the texts its
    reader gave, with no cell made: what `_spanned_rows` (with spans) or the loop over cells in
    `_table_rows` (without) give for the same cells. The rows are made in one `map` (a Python
    call per row, `Row`'s, and nothing else), their refs left to `_LaidOutRefs`, made for a row
    when a ref of it is asked. In a table with spans the cells that span (and any other cell the
    1×1 ones do not give) claim their positions first, in reading order, as `_place` places
    them (the claimants' refs are kept, None: no claimant, instead of the cells themselves),
    and each 1×1 cell then has its own position if it is still free: a position a cell of the
    row covers lies at or right of that cell's column, so the cells that could claim it before
    a 1×1 cell there, in reading order, are the row's other cells and the spans from above,
    never another 1×1 cell. No 1×1 cell is made."""
    first, n_rows = len(rows) + 1, len(texts)
    filled = map(tuple, map(filter, repeat(_TEXT_OF), map(enumerate, texts)))
    if not table.has_spans:
        refs = _LaidOutRefs(first, texts, laid_out, None, {})
        rows.extend(map(Row, range(first, first + n_rows), texts, filled, repeat(None), repeat(refs)))
        return
    n_cols = table.n_cols
    claims: dict[int, list[str | None]] = {}  # grid row → the refs of the cells that claimed its positions
    covered: dict[int, dict[int, str]] = {}
    for r in sorted(laid_out.others):
        line = claims.setdefault(r, [None] * n_cols)  # a span from above may have claimed some already
        for cell in laid_out.others[r]:
            _claim(cell, line, claims, covered, n_rows, n_cols)
    refs = _LaidOutRefs(first, texts, laid_out, n_cols, claims)
    rows.extend(map(Row, range(first, first + n_rows), texts, filled, repeat(None), repeat(refs),
                    [covered.get(r) or {} for r in range(n_rows)]))


class _LaidOutRefs:
    """The refs of a laid-out table's rows (`Row.refs`), one for all its rows: a row's are made
    when one of them is asked (`Row.ref`, for the few cells that land in a staging row), as the
    eager rows had them. A row holds its 1×1 cells' refs (`LaidOut.locate`), "" where it holds
    none, as wide as its texts; with spans (`n_cols` given) `n_cols` wide, each position a span
    or another cell claimed (`claims`) taking that cell's ref; without, its other cells' refs at
    their columns. Rows are found by their position: the table's rows are consecutive from
    `first`."""

    __slots__ = ("_first", "_texts", "_laid_out", "_n_cols", "_claims")

    def __init__(self, first: int, texts: tuple[tuple[str, ...], ...], laid_out: LaidOut, n_cols: int | None,
                 claims: Mapping[int, list[str | None]]) -> None:
        self._first, self._texts, self._laid_out, self._n_cols, self._claims = first, texts, laid_out, n_cols, claims

    def row_refs(self, line_no: int) -> tuple[str, ...]:
        """The refs of the row at position `line_no`, one per position."""
        r = line_no - self._first
        width = len(self._texts[r])
        laid_out, n_cols = self._laid_out, self._n_cols
        refs = [""] * (width if n_cols is None else n_cols)
        for col in laid_out.one_cols(r, width):
            if col < len(refs):
                refs[col] = laid_out.locate(r, col)
        if n_cols is None:
            for cell in laid_out.others.get(r, ()):
                refs[cell.col] = cell.source_ref
            return tuple(refs)
        claims = self._claims.get(r)
        if claims is not None:
            refs = [ref if claim is None else claim for claim, ref in zip(claims, refs, strict=True)]
        return tuple(refs)


def _claim(cell: Cell, line: list[str | None], claims: dict[int, list[str | None]],
           covered: dict[int, dict[int, str]], n_rows: int, n_cols: int) -> None:
    """`_place` for `_laid_out_rows`: the positions `cell` covers that no earlier cell claimed
    take its ref, in its own row (`line`) and the rows below (kept in `claims`)."""
    _spread(cell, cell[5], None, line, claims, covered, n_rows, n_cols)


def _first_cols(width: int) -> tuple[int, ...]:
    """(0, 1, …, width - 1): the columns of a row whose cells sit side by side from the left."""
    try:
        return _FIRST_COLS[width]
    except IndexError:
        return tuple(range(width))


def _place(cell: Cell, line: list[Cell], lines: dict[int, list[Cell]], covered: dict[int, dict[int, str]],
           n_rows: int, n_cols: int) -> None:
    """Claim the positions `cell` covers that no earlier cell claimed: in its own row (`line`)
    and, for a row span, in the rows below (kept in `lines` until their turn)."""
    col = cell[2]
    if cell[3] == 1 and cell[4] == 1:
        if col < n_cols and line[col] is _NO_CELL:
            line[col] = cell
        return
    _spread(cell, cell, _NO_CELL, line, lines, covered, n_rows, n_cols)


def _spread(cell: Cell, claim: object, free: object, line: list, lines: dict[int, list],
            covered: dict[int, dict[int, str]], n_rows: int, n_cols: int) -> None:
    """Mark each position `cell` covers, clipped at the table's edges, that is still `free`
    with `claim`: in its own row (`line`) and the rows below (kept in `lines` until their turn),
    noting the text a span brings down into a row below."""
    text, row, col, row_span, col_span = cell[:5]
    last_col = min(col + col_span - 1, n_cols - 1)
    for r in range(row, min(row + row_span - 1, n_rows - 1) + 1):
        below = line if r == row else lines.setdefault(r, [free] * n_cols)
        for c in range(col, last_col + 1):
            if below[c] is free:
                below[c] = claim
                if r > row and text:
                    covered.setdefault(r, {})[c] = text
