"""Web pages → the model, on lxml. Each data `<table>` becomes a `Table` (rowspan and colspan
placed as the HTML table model places them), the text around tables becomes paragraphs. A
table that holds other tables is page layout, not data: its cells are read as the page around
the inner tables. Text is laid out as a browser would: runs of whitespace are one space, `<br>`
and block elements (`<p>`, `<div>`, `<li>`, …) break lines.

Every element lxml hands to Python costs more than libxml2 took to parse it, so the page is
read with as few of them as the layout needs: the tables' rows and cells are taken first (the
structure, with lxml's C-level tag filters), then the inline tags (`<font>`, `<span>`, …) are
stripped in C, which leaves most cells a single text node. Line breaks are collected as marks
and laid out on the whole text of a cell or paragraph at once (`layout`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import count, filterfalse, islice
from operator import attrgetter

import lxml.etree

from extract.readers.errors import ReaderError
from extract.readers.htmlcodec import decode_html
from extract.readers.model import Block, Cell, Document, Paragraph, Table
from extract.readers.textnorm import CELL_SPACE, clean_text

BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "caption", "center", "dd", "details", "dialog", "dir",
    "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})
SKIPPED_TAGS = frozenset({"head", "script", "style", "noscript", "template", "title", "object", "iframe",
                          "select", "option", "button", "svg", "math"})
# Tags a browser lays out inline: their text flows into the text around them, so removing the tag
# and keeping its text and children in place changes nothing a reader sees. Tags missing here are
# laid out inline all the same, only by the slower walk.
INLINE_TAGS = ("a", "abbr", "acronym", "b", "bdi", "bdo", "big", "blink", "cite", "code", "data", "del", "dfn",
               "em", "font", "i", "img", "ins", "kbd", "label", "mark", "nobr", "o:p", "q", "s", "samp", "small",
               "span", "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr")
assert not BLOCK_TAGS & set(INLINE_TAGS) and not SKIPPED_TAGS & set(INLINE_TAGS)
_SPACES = re.compile(" {2,}")
MAX_COLSPAN, MAX_ROWSPAN = 1000, 65534  # the HTML standard's limits
# Line break marks in collected text: lone surrogates, which text from lxml never holds (libxml2
# keeps valid UTF-8 only). A hard break is a `<br>`, kept even when repeated; a soft break is the
# edge of a block element, which breaks the line unless it is already broken or nothing came yet.
HARD, SOFT = "\ud800", "\ud801"
_BREAKS = re.compile("[\ud800\ud801]+")
_JOIN = "\ud802"  # joins many texts into one string to lay them out at once
_COLS = tuple(str(col) for col in range(1, 257))  # "1".."256": the column part of a cell's source_ref
_TEXT = attrgetter("text")
_KEYS = lxml.etree._Element.keys


def _breaks(match: re.Match[str]) -> str:
    run = match.group()
    hard = "\n" * run.count(HARD)
    if match.start() == 0 or run[0] == HARD:  # nothing before it, or a hard break came first
        return hard
    return "\n" + hard


def layout(raw: str) -> str:
    """Collected text (`HARD`/`SOFT` marks between the texts) as a browser lays it out:
    whitespace one space, runs of spaces one, each line trimmed, runs of empty lines one, none at
    either end."""
    if HARD not in raw and SOFT not in raw:
        return _plain_texts([raw])[0]
    for char in "\t\n\r\f":
        if char in raw:
            raw = raw.replace(char, " ")
    text = _BREAKS.sub(_breaks, raw)
    return clean_text("\n".join(_SPACES.sub(" ", line).strip(" ") for line in text.split("\n")))


def collect(element: lxml.etree._Element, parts: list[str]) -> None:
    """Append the text inside `element` to `parts`, with a mark where a browser breaks the line.
    (Tag names come lower-cased from libxml2's HTML parser; comments and PIs are not kept.)"""
    text = element.text
    if text:
        parts.append(text)
    for child in element:
        tag = child.tag
        if tag.__class__ is str and tag not in SKIPPED_TAGS:
            if tag == "br":
                parts.append(HARD)
            elif tag in BLOCK_TAGS:
                parts.append(SOFT)
                collect(child, parts)
                parts.append(SOFT)
            else:
                collect(child, parts)
        tail = child.tail
        if tail:
            parts.append(tail)


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


@dataclass(slots=True)
class _Shape:
    """A data table's structure, taken before the inline tags are stripped: its captions and,
    per row, its cells (a `<tr>` or cell inside a stray inline tag is not the table's)."""

    captions: list[lxml.etree._Element]
    rows: list[list[lxml.etree._Element]]


def _shapes(root: lxml.etree._Element) -> dict[lxml.etree._Element, _Shape]:
    """The data tables of the page (those holding no other table), by element. The elements are
    kept alive in the shapes, so lxml hands the walk back the same objects."""
    shapes = {}
    for table in root.iter("table"):
        inner = table.iter("table")
        next(inner)  # the table itself
        if next(inner, None) is not None:
            continue
        rows = []
        for child in table.iterchildren("tr", "thead", "tbody", "tfoot"):
            if child.tag == "tr":
                rows.append(child)
            else:
                rows.extend(child.iterchildren("tr"))
        shapes[table] = _Shape(list(table.iterchildren("caption")),
                               [list(tr.iterchildren("td", "th")) for tr in rows])
    return shapes


def _plain_texts(texts: list[str]) -> list[str]:
    """`layout` of many texts without marks at once: the whitespace is replaced across all of
    them in a few passes in C (joined by a mark no text holds), only the trim is per text."""
    joined = _JOIN.join(texts)
    changed = False
    for char in "\t\n\r\f":  # str.replace: translate() goes char by char through a dict on CJK text
        if char in joined:
            joined = joined.replace(char, " ")
            changed = True
    if "  " in joined:
        joined = _SPACES.sub(" ", joined)
        changed = True
    return [text.strip(CELL_SPACE) for text in (joined.split(_JOIN) if changed else texts)]


def read_table(shape: _Shape, number: int) -> Table:
    """A data table placed on its grid: each cell goes to the first free position of its row,
    spans mark positions below and right as taken; a span that would overlap an earlier cell is
    cut short there, as browsers do. Only positions below a cell's own row need marking: the
    next cell of a row starts right of the last.

    What is asked of each cell element (text, children, attributes) is asked of all of them at
    once with `map`, and a row none of whose cells has a span attribute is placed in one go:
    its cells take the first columns that no span from above holds."""
    new = tuple.__new__
    flat = [td for tds in shape.rows for td in tds]
    sizes = list(map(len, flat))  # a cell with child elements left (blocks, <br>) is walked
    texts = _plain_texts([text or "" for text in map(_TEXT, flat)])
    for i in filter(sizes.__getitem__, range(len(flat))):
        parts: list[str] = []
        collect(flat[i], parts)
        texts[i] = layout("".join(parts))
    spanned = [i for i, names in enumerate(map(_KEYS, flat)) if names and ("rowspan" in names or "colspan" in names)]
    spanned.append(len(flat))
    next_spanned = 0  # index in `spanned` of the first spanned cell not placed yet
    n_rows = len(shape.rows)
    taken: dict[int, set[int]] = {}  # grid row → columns taken by a rowspan from a row above
    rows: list[tuple[Cell, ...]] = []
    n_cols = 0
    i = 0
    for r, tds in enumerate(shape.rows):
        row_taken = taken.get(r)
        prefix = f"table {number} row {r + 1} col "
        width = len(tds)
        if spanned[next_spanned] >= i + width:  # no cell of the row spans
            cols = list(islice(filterfalse(row_taken.__contains__, count()), width)) if row_taken else range(width)
            if not cols or cols[-1] < len(_COLS):
                rows.append(tuple([new(Cell, (text, r, c, 1, 1, prefix + _COLS[c], None))
                                   for text, c in zip(texts[i:i + width], cols, strict=True)]))
                i += width
                if cols and cols[-1] >= n_cols:
                    n_cols = cols[-1] + 1
                continue
        cells = []
        c = 0
        for td in tds:
            if row_taken:
                while c in row_taken:
                    c += 1
            row_span = col_span = 1
            if spanned[next_spanned] == i:
                next_spanned += 1
                value = td.get("rowspan")
                if value is not None:
                    row_span = _span(value, MAX_ROWSPAN) or n_rows - r
                    if row_span > n_rows - r:
                        row_span = n_rows - r
                value = td.get("colspan")
                if value is not None:
                    col_span = _span(value, MAX_COLSPAN) or 1
            if col_span > 1 and taken:
                free = 1
                while free < col_span and not any(c + free in taken.get(r + k, ()) for k in range(row_span)):
                    free += 1
                col_span = free
            if row_span > 1:
                for k in range(r + 1, r + row_span):
                    taken.setdefault(k, set()).update(range(c, c + col_span))
            cells.append(new(Cell, (texts[i], r, c, row_span, col_span, prefix + str(c + 1), None)))
            i += 1
            c += col_span
        if c > n_cols:  # where the row's last cell ends: the cells of a row only go right
            n_cols = c
        rows.append(tuple(cells))
    return Table(tuple(rows), n_cols, f"table {number}")


class _Walker:
    """Walks the page in document order, emitting paragraphs and tables as blocks."""

    def __init__(self, shapes: dict[lxml.etree._Element, _Shape]) -> None:
        self.shapes = shapes
        self.blocks: list[Block] = []
        self.parts: list[str] = []
        self.tables = 0
        self.paragraphs = 0

    def flush(self) -> None:
        if not self.parts:
            return
        raw = "".join(self.parts)
        self.parts = []
        new = tuple.__new__
        for line in layout(raw).split("\n"):
            line = line.strip()
            if line:
                self.paragraphs += 1
                self.blocks.append(new(Paragraph, (line, f"paragraph {self.paragraphs}", None)))

    def walk(self, element: lxml.etree._Element) -> None:
        tag = element.tag
        if tag.__class__ is not str or tag in SKIPPED_TAGS:
            return
        if tag == "br":
            self.parts.append(HARD)
            return
        if tag == "table" and (shape := self.shapes.get(element)) is not None:
            self.flush()
            for caption in shape.captions:
                self.parts.append(SOFT)
                collect(caption, self.parts)
                self.parts.append(SOFT)
                self.flush()
            self.tables += 1
            table = read_table(shape, self.tables)
            if any(cell.text for row in table.rows for cell in row):
                self.blocks.append(table)
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
        text = element.text
        if text:
            self.parts.append(text)
        for child in element:
            self.walk(child)
            tail = child.tail
            if tail:
                self.parts.append(tail)
        if block:
            self.flush()


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


def read_html(name: str, data: bytes) -> Document:
    text, encoding = decode_html(data)
    if not text.strip():
        raise ReaderError("empty_document", "the page is empty", None)
    try:
        root = _parse(text, data, encoding)
    except (lxml.etree.ParserError, ValueError) as err:
        raise ReaderError("corrupt_file", f"lxml could not parse the page: {err}", None) from err
    walker = _Walker(_shapes(root))
    lxml.etree.strip_tags(root, *INLINE_TAGS)
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    if not walker.blocks:
        raise ReaderError("empty_document", "the page shows no text", None)
    return Document(name=name, format="html", blocks=tuple(walker.blocks))
