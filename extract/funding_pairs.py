"""Funding printed as label/amount pairs on a row ('中期市财政预算(万元) | 284500.00 | 本年度申请
市财政预算资金(万元) | 919.00'; Shanghai's '项目资金总额 | 10,308,000.00 | 年度资金申请总额 |
3,498,000.00'). A pair's label names its phase (seed table_column_roles, table `funding_pair`);
the rows below a row of pairs print their components the same way ('其中：财政资金 | …'), each
under the phase of the pair above it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.cells import Row, amount_tokens, squash
from extract.column_roles import RoleVocabulary
from extract.funding import EXPENDITURE, ParsedLine

FUNDING_PAIR = "funding_pair"
_UNIT = re.compile(r"\((万元|元)\)")


def _pairs(row: Row) -> list[tuple[int, str, int, str]]:
    """(label col, label, amount col, amount) of each label followed by an amount."""
    filled = row.filled
    found = []
    for (col, text), (next_col, following) in zip(filled, filled[1:], strict=False):
        if amount_tokens(text) is None and amount_tokens(following) is not None:
            found.append((col, text, next_col, following))
    return found


@dataclass(slots=True)
class FundingPairsParser:
    """The rows of one block of label/amount pairs; `read` says whether a row was one."""

    vocabulary: RoleVocabulary
    phases: list[tuple[int, str]] = field(default_factory=list)  # (label col, phase) of the opening row
    lines: list[ParsedLine] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    unit: str = ""

    def opens(self, row: Row) -> bool:
        """Start the block on a row with at least one pair whose label the seed knows."""
        phases = []
        for col, text, _, _ in _pairs(row):
            role = self.vocabulary.role_of(FUNDING_PAIR, text)
            if role is not None:
                phases.append((col, role.role))
                unit = _UNIT.search(squash(text))
                self.unit = self.unit or (unit.group(1) if unit else "")
        if not phases:
            return False
        self.phases = phases
        return self.read(row)

    def read(self, row: Row) -> bool:
        pairs = _pairs(row)
        if not pairs:
            return False
        for col, label, amount_col, amount in pairs:
            known = self.vocabulary.role_of(FUNDING_PAIR, label)
            phase = known.role if known is not None else self._phase_at(col)
            self.lines.append(ParsedLine(EXPENDITURE, label, "", "", "", row.line_no,
                                         amounts=[(phase, amount, amount_col)]))
        return True

    def _phase_at(self, col: int) -> str:
        """The phase of the nearest pair of the opening row at or left of `col`."""
        left = [phase for phase_col, phase in self.phases if phase_col <= col]
        return left[-1] if left else self.phases[0][1]
