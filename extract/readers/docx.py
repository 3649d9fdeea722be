"""Word 2007+ documents → the model, on python-docx. The body is read in document order
(paragraphs and tables interleaved as printed). A Word table is a grid of `w:gridCol`s: a cell
covering several columns says `gridSpan`, a vertically merged cell is written as a first cell
(`vMerge restart`) and one empty `vMerge continue` cell in each row below, which here become one
cell with a row span, not several cells.
"""

from __future__ import annotations

import io
import zipfile

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table as DocxTable
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph

from extract.readers.errors import ReaderError
from extract.readers.model import Block, Cell, Document, OpenCell, Paragraph, Table, build_table
from extract.readers.textnorm import clean_text


def _cell_text(cell: _Cell) -> str:
    """The cell's paragraphs joined by "\\n"; a table nested in the cell gives one line per row,
    its cells separated by a space."""
    lines = []
    for item in cell.iter_inner_content():
        if isinstance(item, DocxParagraph):
            lines.append(item.text)
        else:
            for row in item.rows:
                lines.append(" ".join(clean_text(c.text) for c in row.cells if c.text.strip()))
    return clean_text("\n".join(lines))


def read_table(table: DocxTable, number: int) -> Table:
    tbl = table._tbl
    cells: list[OpenCell] = []
    merging: dict[int, OpenCell] = {}  # grid column → the cell a `vMerge continue` there extends
    for r, tr in enumerate(tbl.tr_lst):
        col = tr.grid_before
        for tc in tr.tc_lst:
            span = max(1, tc.grid_span)
            above = merging.get(col)
            if tc.vMerge == "continue" and above is not None and above.col_span == span:
                above.row_span += 1
            else:
                for c in range(col, col + span):
                    merging.pop(c, None)
                ref = f"table {number} row {r + 1} col {col + 1}"
                cell = OpenCell(_cell_text(_Cell(tc, table)), r, col, 1, span, ref)
                cells.append(cell)
                if tc.vMerge == "restart":
                    merging[col] = cell
            col += span
    return build_table(
        (Cell(c.text, c.row, c.col, c.row_span, c.col_span, c.ref) for c in cells),
        source_ref=f"table {number}", n_rows=len(tbl.tr_lst))


def read_docx(name: str, data: bytes) -> Document:
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, PackageNotFoundError, KeyError, ValueError) as err:
        raise ReaderError("corrupt_file", f"python-docx could not open the document: {type(err).__name__}: {err}",
                          None) from err
    blocks: list[Block] = []
    tables = paragraphs = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxParagraph):
            for line in clean_text(item.text).split("\n"):
                if line.strip():
                    paragraphs += 1
                    blocks.append(Paragraph(line, f"paragraph {paragraphs}"))
        else:
            tables += 1
            table = read_table(item, tables)
            if any(cell.text for cell in table.cells()):
                blocks.append(table)
    if not blocks:
        raise ReaderError("empty_document", "the document body holds no text", None)
    return Document(name=name, format="docx", blocks=tuple(blocks))
