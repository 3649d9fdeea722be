"""Text → cell grid. A line is a table row whose cells are separated by tabs; the helpers
here name what the layout code asks of a cell (blank, amount-like, normalised label)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

_SPACE = re.compile(r"[\s\u3000\u00a0]+")
_PARENS = str.maketrans({"（": "(", "）": ")"})
SCHEDULE_TOKENS = frozenset({"序时进度", "按序时进度", "时序进度", "按时序进度"})
_AMOUNT = re.compile(r"-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?")


@dataclass(frozen=True, slots=True)
class Row:
    """One line of a form: its 1-based line number, its cells (whitespace-trimmed) and the
    (column, text) of its non-empty cells, which is what the layout code mostly reads."""

    line_no: int
    cells: tuple[str, ...]
    filled: tuple[tuple[int, str], ...]

    @property
    def is_blank(self) -> bool:
        return not self.filled


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
        append(Row(number, cells, filled))
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


def is_amount_token(token: str) -> bool:
    return token in SCHEDULE_TOKENS or _AMOUNT.fullmatch(token) is not None


def amount_tokens(cell: str) -> list[str] | None:
    """The amounts in a funding cell ('2000 4128.4' → two), or None if it is not amounts."""
    tokens = _SPACE.split(cell.strip())
    if 1 <= len(tokens) <= 2 and all(is_amount_token(t) for t in tokens):
        return tokens
    return None
