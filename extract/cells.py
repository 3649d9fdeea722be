"""Text → cell grid. A line is a table row whose cells are separated by tabs; the helpers
here name what the layout code asks of a cell (blank, amount-like, normalised label)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_PARENS = str.maketrans({"（": "(", "）": ")"})
SCHEDULE_TOKENS = frozenset({"序时进度", "按序时进度", "时序进度", "按时序进度"})
_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a form: its 1-based line number and its cells, whitespace-trimmed."""

    line_no: int
    cells: tuple[str, ...]

    @property
    def filled(self) -> list[tuple[int, str]]:
        """(column, text) of the non-empty cells, left to right."""
        return [(col, text) for col, text in enumerate(self.cells) if text]

    @property
    def is_blank(self) -> bool:
        return not any(self.cells)


def strip_cell(text: str) -> str:
    return text.strip(" \t\u3000\u00a0\ufeff")


def to_rows(text: str) -> list[Row]:
    """Split text into rows, numbering lines 1-based on '\\n' as the gold does."""
    return [
        Row(line_no=number, cells=tuple(strip_cell(cell) for cell in line.split("\t")))
        for number, line in enumerate(text.split("\n"), start=1)
    ]


def squash(text: str) -> str:
    """A label's comparable form: no whitespace, ASCII parentheses."""
    return _SPACE.sub("", text).translate(_PARENS)


def is_amount_token(token: str) -> bool:
    return token in SCHEDULE_TOKENS or _AMOUNT.fullmatch(token) is not None


def amount_tokens(cell: str) -> list[str] | None:
    """The amounts in a funding cell ('2000 4128.4' → two), or None if it is not amounts."""
    tokens = _SPACE.split(cell.strip())
    if 1 <= len(tokens) <= 2 and all(is_amount_token(t) for t in tokens):
        return tokens
    return None
