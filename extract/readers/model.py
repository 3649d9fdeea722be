"""The one document model every reader fills: blocks in reading order, tables as grids of cells.

A published form is the same form whether it came as text, a web page, a workbook, a Word file
or a PDF; what differs is how its grid was written down. The readers turn each format into
this model so the layout code is written once, against cells and spans, not against formats.
Everything here is immutable: a document is read once and then only looked at. Cells and
paragraphs are named tuples, not dataclasses: a file has thousands of cells, and a frozen
dataclass costs seven `object.__setattr__` calls to build where a tuple is one allocation.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass, field
from functools import partial
from operator import itemgetter
from typing import NamedTuple


def _frozen(self: object, name: str, value: object) -> None:
    """Assignment to a field fails as it does on a frozen dataclass (the model was one)."""
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _undeletable(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


class Cell(NamedTuple):
    """One printed cell: its text and where it sits.

    `row`/`col` are the 0-based grid position of the cell's top-left corner (its origin), and
    `row_span`/`col_span` how many grid rows and columns it covers: a merged label cell is one
    `Cell` with a span, not several. `text` is as printed, trimmed at both ends; paragraphs or
    line breaks inside the cell are kept as "\\n". `source_ref` points a person back into the
    file (`L53`, `table 2 row 5 col 3`, `Sheet1!C12`, `page 3 table 1 row 5 col 3`);
    A PDF cell that a page break cut names each part, `; `-separated. `source_line` is the
    1-based text line for text documents, which is what the staging rows and the gold cite,
    and None for every other format.

    Readers that build many cells call `tuple.__new__(Cell, (text, row, col, row_span,
    col_span, source_ref, source_line))`: all seven fields, in order, without the keyword
    handling of `Cell(...)`.
    """

    text: str
    row: int
    col: int
    row_span: int = 1
    col_span: int = 1
    source_ref: str = ""
    source_line: int | None = None

    @property
    def last_row(self) -> int:
        """The last grid row the cell covers (inclusive)."""
        return self.row + self.row_span - 1

    @property
    def last_col(self) -> int:
        """The last grid column the cell covers (inclusive)."""
        return self.col + self.col_span - 1

    __setattr__ = _frozen
    __delattr__ = _undeletable


@dataclass(slots=True)
class OpenCell:
    """A cell a reader is still building: mutable until its table is done (a DOCX `vMerge
    continue` below it, or a PDF table continued on the next page, grows its row span)."""

    text: str
    row: int
    col: int
    row_span: int
    col_span: int
    ref: str


class _Answers:
    """Where a `Table` keeps what it was asked once (its row texts, whether it has spans, its
    rows' text lines) and, for a deferred table, how to make its cells, and, for a laid-out
    one, where its 1×1 cells sit, how they are named and its other cells (`LaidOut`): the
    layout code asks the first three of every table. Slots of a base class, not dataclass fields, so the table's fields,
    equality and `dataclasses.replace` are untouched (a replaced table starts with nothing
    kept)."""

    __slots__ = ("_row_texts", "_has_spans", "_row_lines", "_make_rows", "_laid_out")


@dataclass(frozen=True, slots=True)
class Table(_Answers):
    """A grid of cells. `rows[r]` holds the cells whose origin is in grid row r, left to right;
    a position covered by a span from above has no cell of its own in that row. Rows may be
    shorter than `n_cols` (a text line with fewer tabs): such positions are covered by no cell.
    `source_ref` names the table in the file (`L7-L36`, `table 2`, `Sheet1`, `page 3 table 1`)."""

    rows: tuple[tuple[Cell, ...], ...]
    n_cols: int
    source_ref: str = ""

    @classmethod
    def known(cls, rows: tuple[tuple[Cell, ...], ...], n_cols: int, source_ref: str,
              row_texts: tuple[tuple[str, ...], ...] | None = None, has_spans: bool | None = None) -> Table:
        """A table from a reader that already knows its row texts or whether it has spans (the
        text reader has both from the split lines, for free): they must be what
        `row_texts()` and `has_spans` would compute from the cells."""
        table = cls(rows, n_cols, source_ref)
        if row_texts is not None:
            object.__setattr__(table, "_row_texts", row_texts)
        if has_spans is not None:
            object.__setattr__(table, "_has_spans", has_spans)
        return table

    @classmethod
    def deferred(cls, make_rows: Callable[[], tuple[tuple[Cell, ...], ...]], n_cols: int, source_ref: str,
                 row_texts: tuple[tuple[str, ...], ...], row_lines: tuple[int | None, ...]) -> Table:
        """A table without spans whose cells are made the first time `rows` is read (then kept).

        The text reader's tables: their row texts and lines are the split lines, which is all
        extract/document_rows.py reads, so the pipeline never has their cells made. Making
        them up front cost as much as splitting the text (a cell is one tuple, and a tuple
        subclass is one the garbage collector keeps tracking). `make_rows` must give cells
        whose `row_texts()` and `row_lines()` are the ones given, and no spans."""
        table = cls.__new__(cls)
        for name, value in (("n_cols", n_cols), ("source_ref", source_ref), ("_make_rows", make_rows),
                            ("_row_texts", row_texts), ("_row_lines", row_lines), ("_has_spans", False)):
            object.__setattr__(table, name, value)
        return table

    @classmethod
    def laid_out(cls, row_texts: tuple[tuple[str, ...], ...], ones: Mapping[int, Sequence[int]],
                 other_cells: Mapping[int, tuple[Cell, ...]], n_cols: int, source_ref: str,
                 locate: Callable[[int, int], str]) -> Table:
        """A table of a format without lines, given as its rows' texts, where its 1×1 cells sit
        and how they are named, its cells made the first time `rows` is read (`laid_out_cells`,
        then kept).

        Row r holds a 1×1 cell of its text at each column of `ones[r]` (ascending), or, for a
        row `ones` does not list, at every position of `row_texts[r]`; `locate(r, c)` is the
        `source_ref` of the 1×1 cell at grid (r, c). `other_cells[r]` are the row's cells
        those do not give (those that span, in reading order), each at a column no 1×1 cell of
        the row holds; `row_texts[r]` must be what `row_texts()` makes of the row's cells. The
        web page and sheet readers know all this as they place their cells, and it is what
        extract/document_rows.py reads of a table: most rows of a form hold no span, so the
        pipeline never makes a cell of them, nor a ref: a locator string per cell was a tenth
        of a web page's whole read (rows_of included), and the pipeline reads the refs of the
        few cells that land in a staging row only (`Row.ref`)."""
        table = cls.__new__(cls)
        has_spans = any(cell.row_span > 1 or cell.col_span > 1 for cells in other_cells.values() for cell in cells)
        laid_out = LaidOut(ones, other_cells, locate)
        for name, value in (("n_cols", n_cols), ("source_ref", source_ref), ("_row_texts", row_texts),
                            ("_laid_out", laid_out), ("_has_spans", has_spans),
                            ("_make_rows", partial(_laid_out_rows, row_texts, laid_out))):
            object.__setattr__(table, name, value)
        return table

    def laid_out_rows(self) -> LaidOut | None:
        """Where the 1×1 cells of a `laid_out` table sit, how they are named and its other
        cells; None for any other table."""
        try:
            return self._laid_out
        except AttributeError:
            return None

    def __getattr__(self, name: str) -> object:
        """Reached only when a slot is unset: `rows` of a deferred table is made here, once.
        `_make_rows` is kept (what it holds the table holds anyway): two threads that both
        find `rows` unset both make it, alike, and neither finds the maker gone."""
        if name != "rows":
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        rows = self._make_rows()
        object.__setattr__(self, "rows", rows)
        return rows

    @property
    def n_rows(self) -> int:
        """The number of grid rows, from the row texts when they are kept (a deferred or laid-out
        table's cells are not made to count them)."""
        try:
            return len(self._row_texts)
        except AttributeError:
            return len(self.rows)

    def cells(self) -> Iterator[Cell]:
        """Every cell once, in reading order (row by row, left to right)."""
        for row in self.rows:
            yield from row

    @property
    def has_spans(self) -> bool:
        """Whether any cell covers more than its own grid position (a merge the format states)."""
        try:
            return self._has_spans
        except AttributeError:
            pass
        spans = any(cell.row_span > 1 or cell.col_span > 1 for row in self.rows for cell in row)
        object.__setattr__(self, "_has_spans", spans)
        return spans

    def row_lines(self) -> tuple[int | None, ...]:
        """Each grid row's text line (its first cell's `source_line`; None for a row without a
        cell of its own, and for every row of a format that has no lines)."""
        try:
            return self._row_lines
        except AttributeError:
            pass
        lines = tuple([row[0].source_line if row else None for row in self.rows])
        object.__setattr__(self, "_row_lines", lines)
        return lines

    def row_texts(self) -> tuple[tuple[str, ...], ...]:
        """Each grid row's texts, `n_cols` wide where a cell reaches that far: a cell's text at its
        origin, "" at every other position (covered by a span, or by no cell). The layout code
        reads rows this way, the way a text rendering of the same form prints them. Computed
        once per table (the table cannot change) and kept."""
        try:
            return self._row_texts
        except AttributeError:
            pass
        texts = []
        for row in self.rows:
            line = [""] * max((cell.col + cell.col_span for cell in row), default=0)
            for cell in row:
                line[cell.col] = cell.text
            texts.append(tuple(line))
        result = tuple(texts)
        object.__setattr__(self, "_row_texts", result)
        return result


_COL_OF = itemgetter(2)  # a Cell's column


class LaidOut(NamedTuple):
    """What a `Table.laid_out` table was given besides its row texts (see there): the columns of
    each listed row's 1×1 cells, the cells that those do not give, by row, and the ref of the
    1×1 cell at (row, col)."""

    ones: Mapping[int, Sequence[int]]
    others: Mapping[int, tuple[Cell, ...]]
    locate: Callable[[int, int], str]

    def one_cols(self, row: int, width: int) -> Sequence[int]:
        """The columns of row `row`'s 1×1 cells, `width` the length of its texts."""
        cols = self.ones.get(row)
        return range(width) if cols is None else cols


def laid_out_cells(row: int, texts: tuple[str, ...], laid_out: LaidOut) -> list[Cell]:
    """The cells of grid row `row` of a `Table.laid_out` table, left to right: a 1×1 cell at each
    of its columns, and the row's other cells (ahead of a 1×1 cell at the same column)."""
    new, locate = tuple.__new__, laid_out.locate
    cells = [new(Cell, (texts[col], row, col, 1, 1, locate(row, col), None))
             for col in laid_out.one_cols(row, len(texts))]
    others = laid_out.others.get(row)
    return sorted([*others, *cells], key=_COL_OF) if others else cells


def _laid_out_rows(row_texts: tuple[tuple[str, ...], ...], laid_out: LaidOut) -> tuple[tuple[Cell, ...], ...]:
    """The cells of a `Table.laid_out` table, row by row."""
    return tuple([tuple(laid_out_cells(row, texts, laid_out)) for row, texts in enumerate(row_texts)])


class Paragraph(NamedTuple):
    """Text outside any table (a title, a year line, a report's prose), one paragraph per
    block; wrapped lines are rejoined, so "\\n" inside marks a real line break."""

    text: str
    source_ref: str = ""
    source_line: int | None = None

    __setattr__ = _frozen
    __delattr__ = _undeletable


Block = Paragraph | Table


@dataclass(frozen=True, slots=True)
class ReaderWarning:
    """Something the reader changed or doubted while reading (control characters stripped, a
    page without a text layer, a malformed span). Not an error: the document was read."""

    ref: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class Document:
    """A read document: its blocks in reading order, the format it was read as (`text`, `html`,
    `xlsx`, `xls`, `docx`, `pdf`) and the reader's warnings."""

    name: str
    format: str
    blocks: tuple[Block, ...]
    warnings: tuple[ReaderWarning, ...] = field(default=())

    @property
    def tables(self) -> tuple[Table, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Table))

    @property
    def paragraphs(self) -> tuple[Paragraph, ...]:
        return tuple(block for block in self.blocks if isinstance(block, Paragraph))


@dataclass(frozen=True, slots=True)
class GridSlot:
    """One grid position of a table: the cell that covers it, and whether this position is the
    cell's origin. The layout code asks this for "a label spanning rows applies to each row it
    spans": the label's cell covers each of those rows, and only the first is its origin."""

    cell: Cell
    is_origin: bool


def resolve_grid(table: Table) -> tuple[tuple[GridSlot | None, ...], ...]:
    """The table as an `n_rows` × `n_cols` grid in which every position names the cell covering
    it (None where no cell does: the short rows of a text table).

    Spans are clipped at the table's edges, and a position claimed twice keeps its first
    (reading-order) claimant, so a malformed table still gives a grid rather than an error."""
    grid: list[list[GridSlot | None]] = [[None] * table.n_cols for _ in range(table.n_rows)]
    for cell in table.cells():
        for r in range(cell.row, min(cell.last_row, table.n_rows - 1) + 1):
            line = grid[r]
            for c in range(cell.col, min(cell.last_col, table.n_cols - 1) + 1):
                if line[c] is None:
                    line[c] = GridSlot(cell, r == cell.row and c == cell.col)
    return tuple(tuple(line) for line in grid)


def grid_texts(table: Table, *, spread: bool = False) -> list[list[str]]:
    """The grid's texts, "" where no cell is. With `spread` a spanned cell's text is given at
    every position it covers (the label of each row); without, only at its origin, which is how
    a text rendering of the same form prints it."""
    return [
        ["" if slot is None or not (spread or slot.is_origin) else slot.cell.text for slot in line]
        for line in resolve_grid(table)
    ]


def build_table(cells: Iterable[Cell], source_ref: str = "", n_rows: int | None = None,
                n_cols: int | None = None) -> Table:
    """A `Table` from cells in any order: grouped by origin row, sorted by column. The size is
    taken from the cells' extents unless given (a sheet with empty trailing rows keeps them)."""
    by_row: dict[int, list[Cell]] = {}
    extent_rows = extent_cols = 0
    for cell in cells:
        by_row.setdefault(cell.row, []).append(cell)
        extent_rows = max(extent_rows, cell.last_row + 1)
        extent_cols = max(extent_cols, cell.last_col + 1)
    total_rows = max(extent_rows, n_rows or 0)
    rows = tuple(tuple(sorted(by_row.get(r, ()), key=lambda c: c.col)) for r in range(total_rows))
    return Table(rows=rows, n_cols=max(extent_cols, n_cols or 0), source_ref=source_ref)
