"""Web pages → the model, on lxml and libxslt. Each data `<table>` becomes a `Table` (rowspan and
colspan placed as the HTML table model places them), the text around tables becomes paragraphs. A
table that holds other tables is page layout, not data: its cells are read as the page around
the inner tables. Text is laid out as a browser would: runs of whitespace are one space, `<br>`
and block elements (`<p>`, `<div>`, `<li>`, …) break lines.

Every element lxml hands to Python costs more than libxml2 took to parse it, so no element is
handed to Python: one XSLT stylesheet (`_STREAM`, run by libxslt) walks the parsed page in C and
writes it as one text stream, the page's text with its line breaks marked and each data table cut
into rows and cells by separator characters. The stream is laid out all at once with a few
`str.replace`/`re.sub` passes (`_layout`), then cut with `str.split`; Python only places the
cells of each row on the table's grid.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from functools import partial
from itertools import count, filterfalse, islice, repeat

import lxml.etree

from extract.readers.errors import ReaderError
from extract.readers.htmlcodec import decode_html
from extract.readers.model import Block, Cell, Document, Paragraph, Table
from extract.readers.textnorm import CELL_SPACE

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
SKIPPED_TAGS = frozenset({"head", "script", "style", "noscript", "template", "title", "object", "iframe",
                          "select", "option", "button", "svg", "math"})
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # the HTML standard's limits

# The stream's marks: HARD a `<br>` (kept even when repeated), SOFT the edge of a block element
# (breaks the line unless it is already broken or nothing came yet), TABLE around a data table,
# ROW before each of its rows, CELL before each cell, ATTR around a spanned cell's rowspan and
# colspan (which lead its text). Text from libxml2 can hold any character, even a control
# character (`&#x1e;`), so the marks are characters a page almost never holds, Unicode
# noncharacters, and are chosen per page among those it does not hold (`_marks`).
_MARK_NAMES = ("HARD", "SOFT", "TABLE", "ROW", "CELL", "ATTR")
_MARK_POOL = tuple(chr(code) for code in range(0xFDD0, 0xFDF0)) + tuple(
    chr(plane << 16 | low) for plane in range(1, 17) for low in (0xFFFE, 0xFFFF))
_LINE_SPACE = CELL_SPACE.replace("\t", "")  # trimmed around a line break (tabs are spaces by then)
_TRIM = CELL_SPACE + "\n"
_SPAN_NAMES = ("rowspan", "colspan")
# Encodings `decode_html` reads pages with that write each ASCII character as its own byte (a
# multibyte character may hold bytes that look like ASCII: a false find only costs a walk)
_ASCII_ENCODINGS = frozenset({"utf-8", "utf-8-sig", "gb18030", "big5", "cp1252"})
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+))")

_STREAM = """<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="utf-8"/>
<xsl:template match="/">
  <xsl:choose>
    <xsl:when test="*/body"><xsl:apply-templates select="*/body[1]"/></xsl:when>
    <xsl:otherwise><xsl:apply-templates select="*"/></xsl:otherwise>
  </xsl:choose>
</xsl:template>
<xsl:template match="{skipped}"/>
<xsl:template match="{skipped}" mode="cell"/>
<xsl:template match="br">{HARD}</xsl:template>
<xsl:template match="br" mode="cell">{HARD}</xsl:template>
<xsl:template match="{blocks}">{SOFT}<xsl:apply-templates/>{SOFT}</xsl:template>
<xsl:template match="{blocks}" mode="cell">{SOFT}<xsl:apply-templates mode="cell"/>{SOFT}</xsl:template>
<xsl:template match="table[not(.//table)]">
  <xsl:for-each select="caption">{SOFT}<xsl:apply-templates mode="cell"/>{SOFT}</xsl:for-each>
  {TABLE}
  <xsl:for-each select="tr|thead/tr|tbody/tr|tfoot/tr">
    {ROW}
    <xsl:for-each select="td|th">{CELL}<xsl:apply-templates mode="cell"/></xsl:for-each>
  </xsl:for-each>
  {TABLE}
</xsl:template>
</xsl:stylesheet>"""
"""The page as a stream: the page's walk (default mode) and a cell's (`cell` mode: no data table
can be inside one) differ only in that the walk cuts data tables out. Skipped elements give
nothing, their tails are the next text nodes and stay; inline elements are walked through by
XSLT's built-in rule. `{name}` is filled in per set of marks (`_stylesheet`). A spanned cell's
rowspan and colspan, which lead its text in the stream, are written into the tree before the walk
(`_mark_spans`): the stylesheet asking each cell for them was an XPath evaluation per cell, 43%
of the walk."""

_local = threading.local()


def _stylesheet(marks: str) -> lxml.etree.XSLT:
    """The compiled stylesheet for a set of marks, kept per thread (the usual set is the only
    one most processes ever compile)."""
    cache: dict[str, lxml.etree.XSLT] = _local.__dict__.setdefault("stylesheets", {})
    xslt = cache.get(marks)
    if xslt is None:
        texts = {name: f"<xsl:text>{mark}</xsl:text>" for name, mark in zip(_MARK_NAMES, marks, strict=True)}
        text = _STREAM.format(skipped="|".join(sorted(SKIPPED_TAGS)), blocks="|".join(sorted(BLOCK_TAGS)), **texts)
        xslt = cache[marks] = lxml.etree.XSLT(lxml.etree.XML(text))
    return xslt


def _span_names(data: bytes, encoding: str) -> tuple[str, ...]:
    """Which of the span attributes the page may hold: those its bytes name, in any case, when
    it was read with an encoding that writes ASCII as itself; both for any other. Each one
    asked for is a walk of the whole tree (`_mark_spans`), a few times the cost of looking
    through the bytes, and most pages hold no colspan (a form's merged labels span rows)."""
    if encoding.split()[0] not in _ASCII_ENCODINGS:
        return _SPAN_NAMES
    lowered = None
    names = []
    for name in _SPAN_NAMES:
        found = name.encode() in data
        if not found:
            lowered = data.lower() if lowered is None else lowered
            found = name.encode() in lowered
        if found:
            names.append(name)
    return tuple(names)


def _mark_spans(root: lxml.etree._Element, attr: str, names: tuple[str, ...]) -> None:
    """Lead the text of each data-table cell (a `td`/`th` the stylesheet reads as a cell) that
    has a rowspan or colspan with them between ATTR marks, `ATTR rowspan ATTR colspan ATTR`
    (an absent one empty), as the stream gives them to `read_table`. The cells are found by one
    XPath over the page for the attributes it may hold (`names`, `_span_names`; a form has a few
    dozen such cells) and handed to Python alone: the stream is what the stylesheet gave when it
    asked every cell."""
    if not names:
        return
    paths: dict[tuple[str, ...], lxml.etree.XPath] = _local.__dict__.setdefault("span_paths", {})
    spans = paths.get(names)
    if spans is None:
        spans = paths[names] = lxml.etree.XPath("|".join(f"//@{name}" for name in names))
    data_tables: dict[lxml.etree._Element, bool] = {}
    for cell in {value.getparent() for value in spans(root)}:
        if cell.tag in ("td", "th") and _is_data_cell(cell, data_tables):
            cell.text = f"{attr}{cell.get('rowspan') or ''}{attr}{cell.get('colspan') or ''}{attr}{cell.text or ''}"


def _is_data_cell(cell: lxml.etree._Element, data_tables: dict[lxml.etree._Element, bool]) -> bool:
    """Whether the stylesheet reads `cell` as a cell of a data table: a child of a `tr` of the
    table or of its `thead`/`tbody`/`tfoot`, the table holding no other table (`data_tables`
    keeps the answer per table)."""
    row = cell.getparent()
    if row is None or row.tag != "tr":
        return False
    table = row.getparent()
    if table is not None and table.tag in ("thead", "tbody", "tfoot"):
        table = table.getparent()
    if table is None or table.tag != "table":
        return False
    known = data_tables.get(table)
    if known is None:
        known = data_tables[table] = next(table.iterdescendants("table"), None) is None
    return known


def _marks(text: str) -> str:
    """Six characters of `_MARK_POOL` the page cannot yield as text: neither in it, nor named
    by a numeric character reference in it."""
    held = set()
    if "&#" in text:
        for hexadecimal, decimal in _CHAR_REF.findall(text):
            value = int(hexadecimal, 16) if hexadecimal else int(decimal)
            if value < 0x110000:
                held.add(chr(value))
    marks = "".join(islice((mark for mark in _MARK_POOL if mark not in held and mark not in text), 6))
    if len(marks) < 6:
        raise ReaderError("corrupt_file", "the page holds nearly every Unicode noncharacter", None)
    return marks


def _layout(stream: str, marks: str) -> str:
    """The stream's breaks and whitespace laid out as a browser lays out text, every cell and run
    of page text at once: whitespace one space, runs of spaces one; a SOFT break at the start of
    a text or right after another break gives nothing, any other break one line; the spaces
    around a line break dropped, runs of empty lines one. What is left, the spaces at either end
    of a text, is trimmed per text once the stream is cut (`read_table`). Only `str.replace` and
    `in`, which run through the text in C at memory speed; a regular expression takes 10-20
    times as long per character."""
    hard, soft = marks[0], marks[1]
    for char in "\t\n\r\f":  # str.replace: translate() goes char by char through a dict on CJK text
        if char in stream:
            stream = stream.replace(char, " ")
    if soft in stream:
        stream = _runs_to_one(stream, soft + soft, soft)
        for mark in marks:  # a SOFT right after a break or an edge: the line is already broken
            if mark + soft in stream:
                stream = stream.replace(mark + soft, mark)
        stream = stream.removeprefix(soft).replace(soft, "\n")
    if hard in stream:
        stream = stream.replace(hard, "\n")
    stream = _runs_to_one(stream, "  ", " ")
    if "\n" in stream:
        stream = _line_ends_trimmed(stream)
        stream = _runs_to_one(stream, "\n\n\n", "\n\n")
    return stream


def _line_ends_trimmed(stream: str) -> str:
    """The stream without the spaces around its line breaks. A page whose only spaces are
    ASCII ones (most: the others are ideographic, no-break and BOM) has no run of them left
    (`_layout` made each run one), so one pass each side of the breaks takes them all; any
    other is passed over until no space is next to a break (a run of mixed spaces loses one a
    pass). Each pass looks through the whole stream: the loop took 16 of them at least."""
    if not any(space in stream for space in _LINE_SPACE[1:]):
        return stream.replace(" \n", "\n").replace("\n ", "\n")
    changed = True
    while changed:
        changed = False
        for space in _LINE_SPACE:
            for pair in (space + "\n", "\n" + space):
                if pair in stream:
                    stream = stream.replace(pair, "\n")
                    changed = True
    return stream


def _runs_to_one(text: str, run: str, one: str) -> str:
    """`text` with every run of `run` replaced by `one` until none is left (each pass at least
    halves a run)."""
    while run in text:
        text = text.replace(run, one)
    return text


def _span(value: str, limit: int) -> int:
    """A rowspan/colspan attribute as a browser reads it: leading digits, at least 1 (rowspan 0
    means "to the end of the table" and is returned as 0 for the caller to resolve)."""
    if value.isascii() and value.isdigit():  # the usual `rowspan="3"`
        return min(int(value), limit)
    digits = ""
    for char in value.strip():
        if not char.isdigit():
            break
        digits += char
    if not digits:
        return 1
    return min(int(digits), limit)


def read_table(segment: str, number: int, marks: str) -> Table | None:
    """A data table's part of the laid-out stream placed on its grid, or None when no cell of it
    has text: each cell goes to the first free position of its row, spans mark positions below
    and right as taken; a span that would overlap an earlier cell is cut short there, as browsers
    do. Only positions below a cell's own row need marking: the next cell of a row starts right of
    the last. A row none of whose cells has a span attribute is placed in one go: its cells take
    the first columns that no span from above holds. The table is given as its rows' texts, the
    columns of the 1×1 cells of the rows a span reaches, and the cells that span
    (`Table.laid_out`), which is what the layout code reads: no cell of a row is made unless
    one of them spans, and no cell's ref unless the pipeline asks for it (`_cell_ref`)."""
    row_mark, cell_mark, attr = marks[3], marks[4], marks[5]
    new = tuple.__new__
    lines = segment.split(row_mark)[1:]
    n_rows = len(lines)
    taken: dict[int, set[int]] = {}  # grid row → columns taken by a rowspan from a row above
    row_texts: list[tuple[str, ...]] = []
    ones: dict[int, Sequence[int]] = {}  # grid row → its 1×1 cells' columns, for a row not side by side from 0
    spanning: dict[int, tuple[Cell, ...]] = {}  # grid row → its cells that span
    n_cols = 0
    has_text = False
    strip, trim = str.strip, repeat(_TRIM)
    for r, line in enumerate(lines):
        row_taken = taken.get(r)
        if attr not in line:  # no cell of the row spans
            texts = tuple(map(strip, line.split(cell_mark)[1:], trim))
            has_text = has_text or any(texts)
            if not row_taken:
                row_texts.append(texts)
                if len(texts) > n_cols:
                    n_cols = len(texts)
                continue
            placed, ones[r] = _after_taken(texts, row_taken)
            row_texts.append(placed)
            if len(placed) > n_cols:
                n_cols = len(placed)
            continue
        texts, cols, own = [], [], []
        spans = []
        c = 0
        for text in line.split(cell_mark)[1:]:
            if row_taken:
                while c in row_taken:
                    c += 1
            row_span = col_span = 1
            if text.startswith(attr):
                _, row_value, col_value, text = text.split(attr, 3)
                row_span = min(_span(row_value, MAX_ROWSPAN) or n_rows - r, n_rows - r)
                col_span = _span(col_value, MAX_COLSPAN) or 1
            if col_span > 1 and taken:
                free = 1
                while free < col_span and not any(c + free in taken.get(r + k, ()) for k in range(row_span)):
                    free += 1
                col_span = free
            if row_span > 1:
                for k in range(r + 1, r + row_span):
                    taken.setdefault(k, set()).update(range(c, c + col_span))
            text = text.strip(_TRIM)
            has_text = has_text or bool(text)
            texts.append(text)
            cols.append(c)
            if row_span > 1 or col_span > 1:
                spans.append(new(Cell, (text, r, c, row_span, col_span, _cell_ref(number, r, c), None)))
            else:
                own.append(c)
            c += col_span
        if c > n_cols:  # where the row's last cell ends: the cells of a row only go right
            n_cols = c
        row_texts.append(_placed(texts, cols, c))
        ones[r] = own
        if spans:
            spanning[r] = tuple(spans)
    if not has_text:
        return None
    return Table.laid_out(tuple(row_texts), ones, spanning, n_cols, f"table {number}", partial(_cell_ref, number))


def _after_taken(texts: tuple[str, ...], taken: set[int]) -> tuple[tuple[str, ...], Sequence[int]]:
    """A row's texts placed in the first columns no span from above holds (`taken`), as
    `Table.row_texts` gives them, and those columns. The usual row under a merged label is
    taken at its first columns only: its texts follow that many empty positions."""
    if not texts:
        return (), ()
    width, n_taken = len(texts), len(taken)
    if max(taken) == n_taken - 1:  # columns 0 .. n_taken - 1
        return ("",) * n_taken + texts, range(n_taken, n_taken + width)
    cols = list(islice(filterfalse(taken.__contains__, count()), width))
    return _placed(texts, cols, cols[-1] + 1), cols


def _cell_ref(number: int, row: int, col: int) -> str:
    """The `source_ref` of the cell at grid (row, col) of the page's table `number`, all 0-based
    but the table's number."""
    return f"table {number} row {row + 1} col {col + 1}"


def _placed(texts: Sequence[str], cols: Sequence[int], width: int) -> tuple[str, ...]:
    """A row's texts as `Table.row_texts` gives them: each at its column, "" between, `width`
    wide (where the row's last cell ends)."""
    line = [""] * width
    for text, col in zip(texts, cols, strict=True):
        line[col] = text
    return tuple(line)


def _parse(text: str, data: bytes, encoding: str) -> lxml.etree._Element:
    """The page's tree from libxml2's HTML parser, as `lxml.html.document_fromstring` gives it
    but with lxml's plain elements (lxml.html looks up a Python class for every element handed
    out). A page that decoded as UTF-8 is parsed from its own bytes, not encoded again."""
    source = data if encoding == "utf-8" else text.encode("utf-8")
    parser = lxml.etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)
    root = lxml.etree.fromstring(source, parser)
    if root is None:
        raise lxml.etree.ParserError("Document is empty")
    return root


def _blocks(stream: str, marks: str) -> list[Block]:
    """The laid-out stream's paragraphs (each non-empty line of the text between tables) and
    tables (those with any text; every data table is numbered, shown or not)."""
    blocks: list[Block] = []
    new = tuple.__new__
    paragraphs = 0
    for number, segment in enumerate(stream.split(marks[2])):
        if number % 2:
            table = read_table(segment, (number + 1) // 2, marks)
            if table is not None:
                blocks.append(table)
            continue
        for line in segment.split("\n"):
            line = line.strip(CELL_SPACE).strip()
            if line:
                paragraphs += 1
                blocks.append(new(Paragraph, (line, f"paragraph {paragraphs}", None)))
    return blocks


def read_html(name: str, data: bytes) -> Document:
    text, encoding = decode_html(data)
    if not text.strip():
        raise ReaderError("empty_document", "the page is empty", None)
    try:
        root = _parse(text, data, encoding)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ReaderError("corrupt_file", f"lxml could not parse the page: {err}", None) from err
    marks = _marks(text)
    _mark_spans(root, marks[5], _span_names(data, encoding))
    stream = str(_stylesheet(marks)(root))
    blocks = _blocks(_layout(stream, marks), marks)
    if not blocks:
        raise ReaderError("empty_document", "the page shows no text", None)
    return Document(name=name, format="html", blocks=tuple(blocks))
