"""Web pages → the model, on lxml.html. Each data `<table>` becomes a `Table` (rowspan and
colspan placed as the HTML table model places them), the text around tables becomes
paragraphs. A table that holds other tables is page layout, not data: its cells are read as
the page around the inner tables. Text is laid out as a browser would: runs of whitespace are
one space, `<br>` and block elements (`<p>`, `<div>`, `<li>`, …) break lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree
import lxml.html

from extract.readers.errors import ReaderError
from extract.readers.htmlcodec import decode_html
from extract.readers.model import Block, Cell, Document, Paragraph, Table, build_table
from extract.readers.textnorm import clean_text

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
SKIPPED_TAGS = frozenset({"head", "script", "style", "noscript", "template", "title", "object", "iframe",
                          "select", "option", "button", "svg", "math"})
_SPACES = re.compile(" {2,}")
_COLLAPSE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\f": " "})
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # the HTML standard's limits


class _Text:
    """Text as a browser lays it out: collapsed spaces, soft breaks (block edges, never doubled)
    and hard breaks (`<br>`, kept even when repeated)."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def add(self, text: str | None) -> None:
        if text:
            text = text.translate(_COLLAPSE)
            if self.parts and self.parts[-1].endswith(" ") and text.startswith(" "):
                text = text.lstrip(" ")
            if text:
                self.parts.append(text)

    def soft_break(self) -> None:
        if self.parts and not self.parts[-1].endswith("\n"):
            self.parts.append("\n")

    def hard_break(self) -> None:
        self.parts.append("\n")

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts = []
        return clean_text("\n".join(_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")))


def _tag(element: lxml.etree._Element) -> str:
    return element.tag.lower() if isinstance(element.tag, str) else ""


def _element_text(element: lxml.etree._Element, out: _Text) -> None:
    """All the text inside `element`, with line breaks where a browser breaks lines."""
    tag = _tag(element)
    if tag in SKIPPED_TAGS or not tag:
        return
    if tag == "br":
        out.hard_break()
        return
    block = tag in BLOCK_TAGS
    if block:
        out.soft_break()
    out.add(element.text)
    for child in element:
        _element_text(child, out)
        out.add(child.tail)
    if block:
        out.soft_break()


def _span(value: str | None, limit: int) -> int:
    """A rowspan/colspan attribute as a browser reads it: leading digits, at least 1 (rowspan 0
    means "to the end of the table" and is returned as 0 for the caller to resolve)."""
    digits = ""
    for char in (value or "").strip():
        if not char.isdigit():
            break
        digits += char
    if not digits:
        return 1
    return min(int(digits), limit)


def _rows_of(table: lxml.etree._Element) -> list[lxml.etree._Element]:
    """The table's own rows, in order, through thead/tbody/tfoot (never a nested table's)."""
    rows = []
    for child in table:
        tag = _tag(child)
        if tag == "tr":
            rows.append(child)
        elif tag in ("thead", "tbody", "tfoot"):
            rows.extend(grandchild for grandchild in child if _tag(grandchild) == "tr")
    return rows


def read_table(table: lxml.etree._Element, number: int) -> Table:
    """A data table placed on its grid: each cell goes to the first free position of its row,
    spans mark positions below and right as taken; a span that would overlap an earlier cell is
    cut short there, as browsers do."""
    trs = _rows_of(table)
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, tr in enumerate(trs):
        c = 0
        for td in tr:
            if _tag(td) not in ("td", "th"):
                continue
            while (r, c) in taken:
                c += 1
            row_span = _span(td.get("rowspan"), MAX_ROWSPAN) or len(trs) - r
            row_span = min(row_span, len(trs) - r)
            col_span = _span(td.get("colspan"), MAX_COLSPAN) or 1
            free = 1
            while free < col_span and not any((r + k, c + free) in taken for k in range(row_span)):
                free += 1
            col_span = free
            taken.update((r + k, c + j) for k in range(row_span) for j in range(col_span))
            text = _Text()
            _element_text(td, text)
            cells.append(Cell(text.take(), r, c, row_span, col_span, f"table {number} row {r + 1} col {c + 1}"))
            c += col_span
    return build_table(cells, source_ref=f"table {number}", n_rows=len(trs))


class _Walker:
    """Walks the page in document order, emitting paragraphs and tables as blocks."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.text = _Text()
        self.tables = 0
        self.paragraphs = 0

    def flush(self) -> None:
        for line in self.text.take().split("\n"):
            line = line.strip()
            if line:
                self.paragraphs += 1
                self.blocks.append(Paragraph(line, f"paragraph {self.paragraphs}"))

    def walk(self, element: lxml.etree._Element) -> None:
        tag = _tag(element)
        if tag in SKIPPED_TAGS or not tag:
            return
        if tag == "br":
            self.text.hard_break()
            return
        if tag == "table" and not _has_inner_table(element):
            self.flush()
            for child in element:
                if _tag(child) == "caption":
                    _element_text(child, self.text)
                    self.flush()
            self.tables += 1
            table = read_table(element, self.tables)
            if any(cell.text for cell in table.cells()):
                self.blocks.append(table)
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        self.text.add(element.text)
        for child in element:
            self.walk(child)
            self.text.add(child.tail)
        if block:
            self.flush()


def _has_inner_table(table: lxml.etree._Element) -> bool:
    return next(_iter_tables(table), None) is not None


def _iter_tables(element: lxml.etree._Element) -> Iterator[lxml.etree._Element]:
    for child in element.iter("table"):
        if child is not element:
            yield child


def read_html(name: str, data: bytes) -> Document:
    text, _encoding = decode_html(data)
    if not text.strip():
        raise ReaderError("empty_document", "the page is empty", None)
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(text.encode("utf-8"), parser=parser)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ReaderError("corrupt_file", f"lxml could not parse the page: {err}", None) from err
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    if not walker.blocks:
        raise ReaderError("empty_document", "the page shows no text", None)
    return Document(name=name, format="html", blocks=tuple(walker.blocks))
