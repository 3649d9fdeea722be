"""Text → cell grid. A line is a table row whose cells are separated by tabs; the helpers
here name what the layout code asks of a cell (blank, amount-like, normalised label)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Protocol

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_PARENS = str.maketrans({"（": "(", "）": ")"})
SCHEDULE_TOKENS = frozenset({"序时进度", "按序时进度", "时序进度", "按时序进度"})
# ASCII digits only, tested on the NFKC form of a cell: `\d` would also take Arabic-Indic or other
# Unicode digits that dbt's SQL cannot cast, and the fullwidth ones are mapped to ASCII first
_AMOUNT = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?")
_IDEOGRAPH = re.compile("[\u4e00-\u9fff]")  # CJK Unified Ideographs (no decomposition mappings)


class RefSource(Protocol):
    """The refs of the rows of one table, made for a row when asked: a laid-out table's rows
    (extract/document_rows.py) share one, and the pipeline asks for the refs of the few cells
    that land in a staging row only."""

    def row_refs(self, line_no: int) -> tuple[str, ...]:
        """The refs of the row at position `line_no`, one per grid position."""
        ...


@dataclass(slots=True, eq=False)  # not frozen: one per line of every file, and a frozen one is 3× slower to build
class Row:
    """One row of a form as the layout code reads it, whatever the format: a text line, a
    paragraph or a table row (extract/document_rows.py makes them from the readers' model).

    `line_no` is the row's position in the document (1-based; for a text document it is the
    line number), what the layout code orders and names rows by. `cells` are the texts at each
    grid position (a merged cell's text at its origin only, "" where a span covers), `filled`
    the (column, text) of the non-empty ones, which is what the layout code mostly reads.
    Where it came from: `source_line` (text documents) and `refs`, one locator per position
    (empty for a text line, whose every cell is `L<line>`), or the `RefSource` that makes them
    when asked (`all_refs`, `ref`): a web page's or sheet's rows, whose refs are mostly never
    read. `covered` maps a position that a cell from a row above spans down over (a merged
    label the format declares) to that cell's text. Rows are equal when their fields are, the
    refs compared as `all_refs` gives them."""

    line_no: int
    cells: tuple[str, ...]
    filled: tuple[tuple[int, str], ...]
    source_line: int | None = None
    refs: tuple[str, ...] | RefSource = ()
    covered: Mapping[int, str] | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Row):
            return NotImplemented
        return (self.line_no, self.cells, self.filled, self.source_line, self.all_refs(), self.covered) == (
            other.line_no, other.cells, other.filled, other.source_line, other.all_refs(), other.covered)

    __hash__ = None  # type: ignore[assignment]  # mutable, as the dataclass's own equality left it

    @property
    def is_blank(self) -> bool:
        return not self.filled

    def all_refs(self) -> tuple[str, ...]:
        """One locator per position ("" where no cell holds it), made now for a row whose refs
        are made when asked."""
        refs = self.refs
        return refs if refs.__class__ is tuple else refs.row_refs(self.line_no)  # type: ignore[union-attr]

    def spanned_text(self, col: int | None) -> str | None:
        """The text of the cell from a row above that spans down over position `col`, if any."""
        return self.covered.get(col) if self.covered and col is not None else None

    def ref(self, col: int | None = None) -> str:
        """The locator of the cell at `col` (of the row's first filled cell when None)."""
        refs = self.all_refs()
        if not refs:
            return f"L{self.source_line if self.source_line is not None else self.line_no}"
        if col is None:
            col = self.filled[0][0] if self.filled else 0
        return refs[col] if 0 <= col < len(refs) and refs[col] else refs[0]


_CELL_SPACE = " \t\u3000\u00a0\ufeff"
_TEXT_OF = itemgetter(1)


def to_rows(text: str) -> list[Row]:
    """Split text into rows, numbering lines 1-based on '\\n' as the gold does.

    The hottest loop of the extractor (every line of every file), so it avoids a Python call
    per cell: cells are stripped in one list comprehension, the non-empty ones picked with
    `filter` (in C), and a line without a tab (prose, titles, blank lines) skips the split."""
    rows = []
    append = rows.append
    for number, line in enumerate(text.split("\n"), start=1):
        if "\t" in line:
            cells = tuple([cell.strip(_CELL_SPACE) for cell in line.split("\t")])
            filled = tuple(filter(_TEXT_OF, enumerate(cells)))
        else:
            cell = line.strip(_CELL_SPACE)
            cells = (cell,)
            filled = ((0, cell),) if cell else ()
        append(Row(number, cells, filled, number))
    return rows


@lru_cache(maxsize=65536)
def _squash_short(text: str) -> str:
    return _SPACE.sub("", text).translate(_PARENS)


def squash(text: str) -> str:
    """A label's comparable form: no whitespace, ASCII parentheses. Short texts (labels and
    values, which repeat across forms) are memoised; long prose is not worth keeping."""
    if len(text) <= 64:
        return _squash_short(text)
    return _SPACE.sub("", text).translate(_PARENS)


def ascii_form(text: str) -> str:
    """The NFKC form of a cell, in which fullwidth digits and signs are ASCII ('７３．６' → '73.6',
    '＞＝90％' → '>=90%'). Only for deciding what a cell is: cells land as printed."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def is_amount_token(token: str) -> bool:
    if token in SCHEDULE_TOKENS:
        return True
    if _IDEOGRAPH.search(token) is not None:
        # prose and labels: an ideograph has no compatibility form (NFKC keeps it) and is no amount
        # character, so a token holding one is no amount, and is spared the NFKC pass (which
        # costs ~2 000 instructions a character of CJK prose)
        return False
    return _AMOUNT.fullmatch(ascii_form(token)) is not None


def _amount_tokens(cell: str) -> list[str] | None:
    # a third token already makes the cell no amount: a paragraph is not split any further
    tokens = _SPACE.split(cell.strip(), maxsplit=2)
    if len(tokens) <= 2 and all(is_amount_token(t) for t in tokens):
        return tokens
    return None


@lru_cache(maxsize=65536)
def _short_amount_tokens(cell: str) -> tuple[str, ...] | None:
    tokens = _amount_tokens(cell)
    return tuple(tokens) if tokens is not None else None


def amount_tokens(cell: str) -> list[str] | None:
    """The amounts in a funding cell ('2000 4128.4' → two), or None if it is not amounts.

    The layout code asks it of every cell of every row it tries as funding, label/amount pairs
    or a role table, several times over; short cells (labels and amounts, which repeat across
    forms) are memoised as `squash` does, and each call gets a list of its own."""
    if len(cell) <= 64:
        found = _short_amount_tokens(cell)
        return list(found) if found is not None else None
    return _amount_tokens(cell)


def is_amount_cell(cell: str) -> bool:
    """Whether `amount_tokens(cell)` finds amounts, without copying them out: what most of its
    callers ask."""
    if len(cell) <= 64:
        return _short_amount_tokens(cell) is not None
    return _amount_tokens(cell) is not None


def is_amount_attempt(text: str) -> bool:
    """True for a text printed as an amount that is no plain number: '约100', '100万', '1e6' (a
    digit) or '-', '—', '/' (no letter or digit at all). A label ('小计', '其他资金') is neither."""
    normal = ascii_form(text)
    return any(ch.isdigit() for ch in normal) or not any(ch.isalnum() for ch in normal)


def attempted_amount_tokens(cell: str) -> list[str]:
    """The amounts a cell meant to print, numbers or not: two tokens when both are amounts or
    attempts ('2000 约100'), else the whole cell as one value ('约 100')."""
    tokens = _SPACE.split(cell.strip())
    if len(tokens) == 2 and all(is_amount_token(t) or is_amount_attempt(t) for t in tokens):
        return tokens
    return [cell.strip()]
