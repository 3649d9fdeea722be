"""PDF documents → the model, on pdfplumber. Per page: the ruled tables (`find_tables`), each
cell's text from the characters inside its box with wrapped lines rejoined, and the rest of the
page's text as paragraphs, in order from the top. Across pages: a table that ends a page and a
table with the same columns that starts the next page, with no paragraph between, are one
table; a row or a merged cell that the page break cut (its box open at the page edge) is one
cell again. A PDF without any text is a scan: an error, never an empty document.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import PdfminerException

from extract.readers.errors import ReaderError
from extract.readers.model import Block, Cell, Document, OpenCell, Paragraph, ReaderWarning, Table, build_table
from extract.readers.pdfchars import dedupe_chars
from extract.readers.pdfgrid import PageTable, assign_chars, closing_lines, measured_lines, place_table, space_ratio
from extract.readers.textnorm import clean_text
from extract.readers.wrap import MeasuredLine, glue, is_break, rejoin_lines, rejoin_measured

_PAGE_NUMBER = re.compile(
    r"[-—–\s]*(?:第\s*)?\d{1,4}\s*页?(?:\s*[/／]\s*(?:共\s*)?\d{1,4}\s*页?)?[-—–\s]*"
    r"|(?i:page)\s*\d{1,4}(?:\s*(?i:of)\s*\d{1,4})?"
)


def table_from_grid(grid: Sequence[Sequence[str | None]], *, blank_is_covered: bool = False,
                    source_ref: str = "table 1") -> Table:
    """A table from a grid of cell texts such as pdfplumber's `extract_tables()` gives (and
    projects keep as fixtures): None where a merged cell covers the position. Spans are
    recovered from the covered runs in two passes: first each cell takes the covered positions
    to its right in its row (merged titles and values), then a covered position still free is
    taken by the cell above it when that cell is exactly as wide (labels merged down rows). A
    run that could be either goes to the cell on its left. Wrapped lines inside a cell are
    rejoined (`rejoin_lines`). The PDF reader itself needs none of this: it has the boxes.

    Without bounding boxes a covered position and an empty cell can look alike: grids saved
    with covered positions as "" are read with `blank_is_covered=True`, at the price that a
    truly empty cell is then taken as part of the cell left of or above it."""
    n_rows = len(grid)
    n_cols = max((len(row) for row in grid), default=0)

    def covered(r: int, c: int) -> bool:
        value = grid[r][c] if c < len(grid[r]) else None
        return value is None or (blank_is_covered and not value.strip())

    spans: dict[tuple[int, int], list[int]] = {}  # origin → [row_span, col_span]
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    for r in range(n_rows):
        origin = None
        for c in range(n_cols):
            if not covered(r, c):
                origin = (r, c)
                spans[origin] = [1, 1]
                owner[(r, c)] = origin
            elif origin is not None:
                spans[origin][1] += 1
                owner[(r, c)] = origin
    for r in range(1, n_rows):
        c = 0
        while c < n_cols:
            above = owner.get((r - 1, c))
            if (r, c) in owner or above is None or above[1] != c:
                c += 1
                continue
            width = spans[above][1]
            if all(covered(r, k) and (r, k) not in owner for k in range(c, c + width)):
                spans[above][0] += 1
                owner.update(((r, k), above) for k in range(c, c + width))
            c += width
    cells = [Cell(clean_text(rejoin_lines((grid[r][c] or "").split("\n"))), r, c, row_span, col_span,
                  f"{source_ref} row {r + 1} col {c + 1}")
             for (r, c), (row_span, col_span) in spans.items()]
    return build_table(cells, source_ref=source_ref, n_rows=n_rows, n_cols=n_cols)


@dataclass(slots=True)
class _PagePara:
    """A paragraph of one page, with what is needed to continue it on the next page."""

    text: str
    top: float
    last_full: bool
    first_indented: bool


@dataclass(slots=True)
class _Page:
    number: int
    items: list[tuple[float, _PagePara | PageTable]] = field(default_factory=list)
    has_text: bool = False


def _open(data: bytes) -> pdfplumber.PDF:
    try:
        return pdfplumber.open(io.BytesIO(data))
    except (PdfminerException, PDFSyntaxError, PSException, ValueError, TypeError, KeyError) as err:
        cause = err.args[0] if isinstance(err, PdfminerException) and err.args else err
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError) or "password" in str(cause).lower():
            raise ReaderError("encrypted", f"the PDF is encrypted and needs a password ({type(cause).__name__})",
                              None) from err
        raise ReaderError("corrupt_file", f"pdfplumber could not open the PDF: {type(cause).__name__}: {cause}",
                          None) from err


def _cell_text(chars: list[dict], box: tuple[float, float, float, float], spaces: float) -> str:
    """The cell's lines rejoined. The width they were wrapped to is the box less its padding,
    taken as wide on the right as the text shows on the left (cells pad symmetrically)."""
    lines = measured_lines(chars, spaces)
    if not lines:
        return ""
    padding = max(0.0, min(line.x0 for line in lines) - box[0])
    available = box[2] - box[0] - 2 * padding
    widest = max(line.width for line in lines)
    if available < 0.8 * widest:  # right-aligned text: the left gap is no padding
        available = widest
    return clean_text(rejoin_measured(lines, available))


def frame_right(lines: Sequence[MeasuredLine], fallback: float) -> float:
    """Where the page's text lines end when full: the median end of the long lines, so that a
    line with a closing mark hung into the margin does not make every other line look short."""
    ends = sorted(line.x1 for line in lines)
    if len(ends) >= 3:
        left = min(line.x0 for line in lines)
        long_ends = [x for x in ends if x >= left + 0.85 * (ends[-1] - left)]
        if len(long_ends) >= 3:
            return long_ends[len(long_ends) // 2]
    return max([*ends, fallback])


def _paragraphs(chars: list[dict], left: float, table_right: float, spaces: float) -> list[_PagePara]:
    """The page's text outside tables as paragraphs: a line continues the paragraph above when
    it follows closely, starts at the left margin and the line above ended for lack of room."""
    lines = measured_lines(chars, spaces)
    right = frame_right(lines, table_right)
    width = right - left

    def from_left(line: MeasuredLine) -> MeasuredLine:
        return MeasuredLine(line.text, left, line.x1, line.first_token_width, line.font_size, line.top,
                            line.bottom, line.space_width)

    paragraphs: list[_PagePara] = []
    above: MeasuredLine | None = None
    for line in lines:
        text = line.text.strip()
        if above is not None:
            close = line.top - above.bottom <= 0.6 * above.font_size
            if close and line.x0 <= left + 0.8 * line.font_size and not is_break(from_left(above), line, width):
                current = paragraphs[-1]
                current.text += glue(current.text, text) + text
                current.last_full = right - line.x1 < line.font_size
                above = line
                continue
        paragraphs.append(_PagePara(text, line.top, right - line.x1 < line.font_size,
                                    line.x0 > left + 0.8 * line.font_size))
        above = line
    for paragraph in paragraphs:
        paragraph.text = clean_text(paragraph.text)
    return paragraphs


def _read_page(page: pdfplumber.page.Page) -> _Page:
    result = _Page(page.page_number)
    chars = dedupe_chars(page.chars)  # what page.dedupe_chars() gives; the tables need only the rules
    result.has_text = any(not char["text"].isspace() for char in chars)
    if not result.has_text:
        return result
    closing = closing_lines(page.edges)
    found = page.find_tables({"explicit_horizontal_lines": closing} if closing else None)
    found = sorted((t for t in found if len(t.cells) >= 2), key=lambda t: (t.bbox[1], t.bbox[0]))
    tables = [place_table(result.number, i, t.bbox, t.cells, closing) for i, t in enumerate(found, start=1)]
    outside = assign_chars(tables, chars)
    spaces = space_ratio(chars)
    for table in tables:
        for cell in table.cells:
            cell.text = _cell_text(cell.chars, cell.bbox, spaces)
            cell.chars = []
    lefts = [c["x0"] for c in outside] + [t.bbox[0] for t in tables]
    table_right = max((t.bbox[2] for t in tables), default=0.0)
    for paragraph in _paragraphs(outside, min(lefts), table_right, spaces) if outside else []:
        result.items.append((paragraph.top, paragraph))
    result.items.extend((table.bbox[1], table) for table in tables)
    result.items.sort(key=lambda item: item[0])
    _drop_page_numbers(result.items)
    return result


def _drop_page_numbers(items: list[tuple[float, _PagePara | PageTable]]) -> None:
    """Page furniture (`- 3 -`, `第3页 共10页`) at the top or bottom of a page is not text of the
    document, and would stand between the two halves of a table broken across the page."""
    for position in (-1, 0):
        if items and isinstance(items[position][1], _PagePara) and _PAGE_NUMBER.fullmatch(items[position][1].text):
            items.pop(position)


@dataclass(slots=True)
class _Stitched:
    """A table being assembled from its parts on consecutive pages."""

    first: PageTable
    last: PageTable
    cells: list[OpenCell]
    n_rows: int

    def row_texts(self, row: int) -> list[tuple[int, int, str]]:
        return sorted((c.col, c.col_span, c.text) for c in self.cells if c.row == row)


def _part_cells(table: PageTable) -> list[OpenCell]:
    return [OpenCell(cell.text, cell.row, cell.col, cell.row_span, cell.col_span,
                      f"page {table.page} table {table.index} row {cell.row + 1} col {cell.col + 1}")
            for cell in table.cells]


def _continue(stitched: _Stitched, part: PageTable) -> None:
    """Append the next page's part. Where the break cut a row (both edges open), the cells
    covering the last row above and the first row below are one cell: texts joined, spans added."""
    cells = _part_cells(part)
    if stitched.last.open_bottom and part.open_top:
        offset = stitched.n_rows - 1
        bottom = {(c.col, c.col_span): c for c in stitched.cells if c.row + c.row_span == stitched.n_rows}
        for cell in cells:
            above = bottom.get((cell.col, cell.col_span)) if cell.row == 0 else None
            if above is not None:
                above.text = clean_text(above.text + glue(above.text, cell.text) + cell.text)
                above.row_span += cell.row_span - 1
                above.ref += "; " + cell.ref  # a cell cut by the page break is found on both pages
            else:
                cell.row += offset
                stitched.cells.append(cell)
    else:
        first_row = sorted((c.col, c.col_span, c.text) for c in cells if c.row == 0)
        repeated_header = first_row == stitched.row_texts(0)
        offset = stitched.n_rows - (1 if repeated_header else 0)
        for cell in cells:
            if repeated_header and cell.row == 0:
                continue
            cell.row += offset
            stitched.cells.append(cell)
    stitched.n_rows = max(stitched.n_rows, max((c.row + c.row_span for c in stitched.cells), default=0))
    stitched.last = part


def _finish(stitched: _Stitched) -> Table:
    ref = f"page {stitched.first.page} table {stitched.first.index}"
    return build_table((Cell(c.text, c.row, c.col, c.row_span, c.col_span, c.ref) for c in stitched.cells),
                       source_ref=ref, n_rows=stitched.n_rows, n_cols=stitched.first.n_cols)


def _assemble(pages: list[_Page]) -> list[Block]:
    blocks: list[Block] = []
    stitched: _Stitched | None = None
    paragraph_count: dict[int, int] = {}
    carried: _PagePara | None = None  # the last paragraph of the previous page, if it may go on
    for page in pages:
        if not page.items:  # a page without text (a scanned page) ends what came before it
            carried = None
        for position, (_, item) in enumerate(page.items):
            if isinstance(item, PageTable):
                if (stitched is not None and position == 0 and stitched.last.page == page.number - 1
                        and stitched.first.same_columns(item)):
                    _continue(stitched, item)
                    continue
                if stitched is not None:
                    blocks.append(_finish(stitched))
                cells = _part_cells(item)
                stitched = _Stitched(item, item, cells, item.n_rows)
                carried = None
                continue
            if stitched is not None:
                blocks.append(_finish(stitched))
                stitched = None
            if carried is not None and position == 0 and not item.first_indented and blocks \
                    and isinstance(blocks[-1], Paragraph):
                previous = blocks[-1]
                blocks[-1] = Paragraph(previous.text + glue(previous.text, item.text) + item.text, previous.source_ref)
            else:
                paragraph_count[page.number] = paragraph_count.get(page.number, 0) + 1
                blocks.append(Paragraph(item.text, f"page {page.number} paragraph {paragraph_count[page.number]}"))
            carried = item if position == len(page.items) - 1 and item.last_full else None
        if page.items and not isinstance(page.items[-1][1], _PagePara):
            carried = None
    if stitched is not None:
        blocks.append(_finish(stitched))
    return [block for block in blocks if not isinstance(block, Table) or any(c.text for c in block.cells())]


def read_pdf(name: str, data: bytes) -> Document:
    pdf = _open(data)
    with pdf:
        try:
            pages = [_read_page(page) for page in pdf.pages]
        except (PdfminerException, PDFSyntaxError, PSException, ValueError, KeyError, TypeError) as err:
            raise ReaderError("corrupt_file", f"pdfplumber could not read a page: {type(err).__name__}: {err}",
                              None) from err
    if not pages:
        raise ReaderError("corrupt_file", "the PDF has no pages", None)
    if not any(page.has_text for page in pages):
        raise ReaderError("no_text_layer", f"none of the {len(pages)} page(s) has a text layer: a scan, which "
                          "needs OCR before it can be read", "page 1")
    warnings = tuple(ReaderWarning(f"page {page.number}", "no_text_layer",
                                   "the page has no text layer (a scanned page?): nothing read from it")
                     for page in pages if not page.has_text)
    blocks = _assemble(pages)
    if not blocks:
        raise ReaderError("empty_document", "the PDF's text layer holds no text", "page 1")
    return Document(name=name, format="pdf", blocks=tuple(blocks), warnings=warnings)
