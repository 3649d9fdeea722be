"""Word 2007+ documents → the model, on python-docx. The body is read in document order
(paragraphs and tables interleaved as printed). A Word table is a grid of `w:gridCol`s: a cell
covering several columns says `gridSpan`, a vertically merged cell is written as a first cell
(`vMerge restart`) and one empty `vMerge continue` cell in each row below, which here become one
cell with a row span, not several cells.

python-docx opens the package and parses its XML; the body is then read from that lxml tree in
one pass (`_BodyReader`), with python-docx's own rules for what a paragraph, a run, a row and a
cell hold. Its object API asks an XPath query of every paragraph, run and cell property, which
costs several times the parse. A table nested in a cell is read the same way, as text of its
cell (`_nested_cell_text`).
"""

from __future__ import annotations

import io
import zipfile
from itertools import islice

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.parser import OxmlElement
from lxml.etree import _Element

from extract.readers.errors import ReaderError
from extract.readers.model import Block, Cell, Document, Paragraph, Table
from extract.readers.textnorm import CELL_SPACE, clean_text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
P, TBL, TR, TC, R, HYPERLINK = _W + "p", _W + "tbl", _W + "tr", _W + "tc", _W + "r", _W + "hyperlink"
TCPR, GRID_SPAN, V_MERGE = _W + "tcPr", _W + "gridSpan", _W + "vMerge"
TRPR, GRID_BEFORE = _W + "trPr", _W + "gridBefore"
T, BR, VAL, TYPE = _W + "t", _W + "br", _W + "val", _W + "type"
# What python-docx's CT_R.text makes of a run's children other than w:t and w:br
RUN_CHARACTERS = {_W + "tab": "\t", _W + "ptab": "\t", _W + "cr": "\n", _W + "noBreakHyphen": "-"}
# Every element the reader looks at; lxml skips the rest (properties, bookmarks, …) in C
_READ_TAGS = (TBL, TR, GRID_BEFORE, TC, GRID_SPAN, V_MERGE, P, HYPERLINK, R, T, BR, *RUN_CHARACTERS)
_UNKNOWN = object()  # a property element not looked up yet


def _tags_by_class() -> dict[type, str]:
    """The tag of each element class python-docx gives a tag read, where no other tag read has
    that class: the reader tells its elements apart by class, which costs nothing, where `.tag`
    builds a new string each time. (Two tags sharing a class, as w:gridSpan and w:gridBefore
    do, are told apart by `.tag`.)"""
    tags: dict[type, list[str]] = {}
    for tag in _READ_TAGS:
        tags.setdefault(type(OxmlElement("w:" + tag[len(_W):])), []).append(tag)
    return {cls: found[0] for cls, found in tags.items() if len(found) == 1}


_TAG_OF_CLASS = _tags_by_class()
_CANONICAL = {tag: tag for tag in _READ_TAGS}  # `.tag` → the constant, so tags compare by identity


# A row being read is one list (a class with an __init__ costs several times as much to make,
# and every object alive through the read is one more for the garbage collector to go over):
# its w:tr, its first w:trPr (the one python-docx reads; looked up when a w:gridBefore is met),
# that one's first w:gridBefore, then its cells.
ROW_ELEMENT, ROW_PROPERTIES, ROW_GRID_BEFORE, ROW_CELLS = range(4)
# A cell being read, likewise: its w:tc (let go once the next cell starts, unless a fallback to
# python-docx may need it), its first w:tcPr (looked up when a w:gridSpan or w:vMerge is met),
# that one's first w:gridSpan and its w:vMerge's value, what it holds (NOTHING yet, PARAGRAPHS,
# or a NESTED table as well: such a cell is read again through python-docx), then the text
# pieces of its paragraphs, "\n" between paragraphs.
TC_ELEMENT, TC_PROPERTIES, TC_GRID_SPAN, TC_V_MERGE, TC_HOLDS, TC_PIECES = range(6)
NOTHING, PARAGRAPHS, NESTED = range(3)


class _BodyReader:
    """One pass over the body's elements in document order (`iter` with the tags read, so lxml
    hands out nothing else). An element counts only where python-docx would look for it, which
    is checked against its parent: a paragraph directly in the body or in a cell of a body
    table, a run directly in the paragraph or in a hyperlink of it, run content directly in the
    run, a row directly in the table, a cell directly in the row. Anything else (a run inside
    `w:ins`, the rows of a nested table, a text box's paragraphs inside a run) is passed over and
    leaves the element being read as it was: its later children still count."""

    def __init__(self, body: _Element) -> None:
        self.body = body
        self.paragraphs: list[tuple[int, list[str]]] = []  # (position, text pieces) of body paragraphs
        self.tables: list[tuple[int, _Element, list[list]]] = []  # (position, w:tbl, rows) of body tables

    def read(self) -> None:
        body = self.body
        table: _Element | None = None
        row: list | None = None  # ROW_… fields
        rows: list[list] = []
        cell: list | None = None  # TC_… fields
        paragraph: _Element | None = None
        pieces: list[str] = []
        hyperlink: _Element | None = None
        run: _Element | None = None
        position = 0
        tag_of_class, canonical = _TAG_OF_CLASS, _CANONICAL
        for element in body.iter(*_READ_TAGS):
            tag = tag_of_class.get(element.__class__) or canonical[element.tag]
            parent = element.getparent()
            if tag is T:
                if parent is run:
                    text = element.text
                    if text:
                        pieces.append(text)
            elif tag is R:
                if parent is paragraph or (parent is hyperlink and hyperlink is not None):
                    run = element
            elif tag is P:
                if parent is body:
                    paragraph, pieces = element, []
                    self.paragraphs.append((position, pieces))
                    position += 1
                elif cell is not None and parent is cell[TC_ELEMENT]:
                    paragraph, pieces = element, cell
                    if cell[TC_HOLDS]:
                        pieces.append("\n")
                    else:
                        cell[TC_HOLDS] = PARAGRAPHS
            elif tag is TC:
                if row is not None and parent is row[ROW_ELEMENT]:
                    if cell is not None and cell[TC_GRID_SPAN] is None and cell[TC_HOLDS] != NESTED:
                        cell[TC_ELEMENT] = None  # done with: nothing will ask python-docx about it
                    cell = [element, _UNKNOWN, None, None, NOTHING]
                    row.append(cell)
            elif tag is GRID_SPAN or tag is V_MERGE:
                if cell is not None and parent.getparent() is cell[TC_ELEMENT]:
                    if cell[TC_PROPERTIES] is _UNKNOWN:
                        cell[TC_PROPERTIES] = cell[TC_ELEMENT].find(TCPR)
                    if parent is cell[TC_PROPERTIES]:
                        if tag is GRID_SPAN:
                            if cell[TC_GRID_SPAN] is None:
                                cell[TC_GRID_SPAN] = element
                        elif cell[TC_V_MERGE] is None:
                            cell[TC_V_MERGE] = element.get(VAL, "continue")
            elif tag is TR:
                if table is not None and parent is table:
                    row = [element, _UNKNOWN, None]
                    rows.append(row)
            elif tag is TBL:
                if parent is body:
                    table, rows = element, []
                    self.tables.append((position, element, rows))
                    position += 1
                elif cell is not None and parent is cell[TC_ELEMENT]:
                    cell[TC_HOLDS] = NESTED
            elif tag is BR:
                if parent is run:
                    kind = element.get(TYPE)
                    if kind is None or kind == "textWrapping":
                        pieces.append("\n")
            elif tag is HYPERLINK:
                if parent is paragraph and paragraph is not None:
                    hyperlink = element
            elif tag is GRID_BEFORE:
                if row is not None and parent.getparent() is row[ROW_ELEMENT]:
                    if row[ROW_PROPERTIES] is _UNKNOWN:
                        row[ROW_PROPERTIES] = row[ROW_ELEMENT].find(TRPR)
                    if parent is row[ROW_PROPERTIES] and row[ROW_GRID_BEFORE] is None:
                        row[ROW_GRID_BEFORE] = element
            elif parent is run:  # a tab, a carriage return, a non-breaking hyphen
                pieces.append(RUN_CHARACTERS[tag])


def _decimal(element: _Element | None, default: int, owner: _Element, name: str) -> int:
    """The `w:val` of a decimal property element as python-docx reads it (`int()` of the
    attribute). When the required attribute is missing, python-docx's own property (`name` of
    `owner`) is asked, which raises as it always did."""
    if element is None:
        return default
    value = element.get(VAL)
    if value is None:
        return getattr(owner, name)
    return int(value)


def _nested_cell_text(tc: _Element) -> str:
    """The text of a cell holding a table: its paragraphs, and one line per row of the nested
    table, that row's filled cells separated by a space, in the order printed.

    The cell is read as a body of its own (`_BodyReader`: its paragraphs and tables are the ones
    directly in it) and its tables by `read_table`, by the same vMerge rules as a body table: a
    merged cell's text once, on its first row, and a `vMerge continue` with no cell above it a
    cell of its own. python-docx's rows give a merged cell to every row it covers, and raise
    ValueError for a continue with nothing above. The nested table stays text in its cell, not a
    table of its own: the outer grid keeps its cell where the form printed it."""
    reader = _BodyReader(tc)
    reader.read()
    found: list[tuple[int, list[str]] | tuple[int, _Element, list[list]]] = [*reader.paragraphs, *reader.tables]
    found.sort(key=lambda item: item[0])
    lines = []
    for item in found:
        if len(item) == 2:
            lines.append("".join(item[1]))
            continue
        for row in read_table(item[1], item[2], 0).row_texts():
            lines.append(" ".join(text for text in row if text.strip()))
    return clean_text("\n".join(lines))


def read_table(tbl: _Element, rows: list[list], number: int) -> Table:
    """The table's cells on Word's grid: a row starts at its `gridBefore`, each cell covers its
    `gridSpan` columns, and a `vMerge continue` cell under a cell as wide grows that cell's row
    span instead of being a cell. Cells come out row by row, left to right; a cell that rows
    below may still extend stays a list until the table is done."""
    new = tuple.__new__
    grid: list[list] = []
    merging: dict[int, list] = {}  # grid column → the cell a `vMerge continue` there extends
    restarted = False
    n_cols = 0
    for r, row in enumerate(rows):
        grid_before = row[ROW_GRID_BEFORE]
        col = 0 if grid_before is None else _decimal(grid_before, 0, row[ROW_ELEMENT], "grid_before")
        prefix = f"table {number} row {r + 1} col "
        cells: list = []
        for tc in islice(row, ROW_CELLS, None):
            grid_span, merge = tc[TC_GRID_SPAN], tc[TC_V_MERGE]
            span = 1 if grid_span is None else max(1, _decimal(grid_span, 1, tc[TC_ELEMENT], "grid_span"))
            if merge == "continue" and (above := merging.get(col)) is not None and above[4] == span:
                above[3] += 1
                col += span
                continue
            if merging:
                for c in range(col, col + span):
                    merging.pop(c, None)
            if tc[TC_HOLDS] == NESTED:
                text = _nested_cell_text(tc[TC_ELEMENT])
            else:
                text = "".join(islice(tc, TC_PIECES, None))
                text = clean_text(text) if "\n" in text or "\r" in text else text.strip(CELL_SPACE)
            if merge == "restart":
                cell = merging[col] = [text, r, col, 1, span, prefix + str(col + 1), None]
                cells.append(cell)
                restarted = True
            else:
                cells.append(new(Cell, (text, r, col, 1, span, prefix + str(col + 1), None)))
            col += span
            if col > n_cols:
                n_cols = col
        grid.append(cells)
    if restarted:  # the cells rows below could extend are Cells now
        grid = [[new(Cell, tuple(cell)) if cell.__class__ is list else cell for cell in cells] for cells in grid]
    return Table(tuple(map(tuple, grid)), n_cols, f"table {number}")


def read_docx(name: str, data: bytes) -> Document:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as err:
        raise ReaderError("corrupt_file", f"python-docx could not open the document: {type(err).__name__}: {err}",
                          None) from err
    reader = _BodyReader(document.element.body)
    reader.read()
    found: list[tuple[int, list[str]] | tuple[int, _Element, list[list]]] = [*reader.paragraphs, *reader.tables]
    found.sort(key=lambda item: item[0])
    blocks: list[Block] = []
    tables = paragraphs = 0
    new = tuple.__new__
    for item in found:
        if len(item) == 2:
            for line in clean_text("".join(item[1])).split("\n"):
                if line.strip():
                    paragraphs += 1
                    blocks.append(new(Paragraph, (line, f"paragraph {paragraphs}", None)))
        else:
            tables += 1
            table = read_table(item[1], item[2], tables)
            if any(cell.text for row in table.rows for cell in row):
                blocks.append(table)
    if not blocks:
        raise ReaderError("empty_document", "the document body holds no text", None)
    return Document(name=name, format="docx", blocks=tuple(blocks))
