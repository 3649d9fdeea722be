"""A funding table read by column role: the 预算执行情况 / 项目资金 block of a self-evaluation
(年初预算数 / 全年预算数 / 全年执行数 / 执行率 / 分值 / 得分). Its header words come from the seed
table_column_roles (table `funding`); each line keeps every amount column of its header, blank
where it prints none, amounts as printed (thousands separators, '/', '100.00%').

Rows drop the merged cell on their left (预算执行情况 spans down), so a line is aligned by its
first amount: it sits under the header's first amount column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.cells import Row, is_amount_attempt, is_amount_token, squash
from extract.column_roles import FUNDING, ColumnRole, RoleVocabulary
from extract.funding import INCOME, ParsedLine

PHASES = ("initial_budget", "annual_budget", "executed", "half_year_plan", "project_total", "mid_term_budget")
LINE_FIELDS = ("rate", "weight", "score")
_UNIT = re.compile(r"\((万元|元)\)")
_MIN_ROLES = 3
_REQUIRED_ROLES = frozenset({"initial_budget", "rate"})  # what tells a self-evaluation funding header
_SHORT = 12  # a longer text with a digit is prose (the 原因 column), not an amount


def funding_header(row: Row, vocabulary: RoleVocabulary) -> dict[int, ColumnRole] | None:
    """The roles of a self-evaluation funding header row, or None when the row is none: it names
    at least three funding columns, one of them 年初预算 or 执行率 (the Jiangsu block has neither)."""
    if len(row.filled) < _MIN_ROLES or not vocabulary.mentions(FUNDING, _REQUIRED_ROLES, row.cells):
        return None
    roles = {col: role for col, text in row.filled if (role := vocabulary.role_of(FUNDING, text)) is not None}
    names = {role.role for role in roles.values()}
    if len(roles) < _MIN_ROLES or not names & _REQUIRED_ROLES or not names & set(PHASES):
        return None
    return roles


def header_unit(row: Row) -> str:
    """万元 or 元 when a header cell says it ('年度预算数(万元)'), else ''."""
    for _, text in row.filled:
        match = _UNIT.search(squash(text))
        if match:
            return match.group(1)
    return ""


def _is_amount(text: str) -> bool:
    """An amount, a rate ('100.00%') or a short placeholder printed for one ('/', '-')."""
    return is_amount_token(text.rstrip("%％")) or (is_amount_attempt(text) and len(text) <= _SHORT)


@dataclass(slots=True)
class FundingTableParser:
    """Reads the lines of one funding table; `read` says whether a row was one of its lines."""

    roles: dict[int, ColumnRole]
    lines: list[ParsedLine] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def _first_amount_col(self) -> int:
        return min(col for col, role in self.roles.items() if role.role in PHASES)

    def read(self, row: Row) -> bool:
        filled = row.filled
        first_amount = next((col for col, text in filled[1:] if _is_amount(text)), None)
        if first_amount is None:
            return False
        offset = self._first_amount_col - first_amount
        labels: list[str] = []
        by_role: dict[str, tuple[str, int]] = {}
        for col, text in filled:
            role = self.roles.get(col + offset)
            if col < first_amount:
                labels.append(text)
            elif role is not None:
                by_role[role.role] = (text, col)
            elif _is_amount(text):
                self.warnings.append((row.line_no, "unexpected_cell_count",
                                      f"funding cell '{text}' under no header column"))
        amounts = []
        for col, role in sorted(self.roles.items()):
            if role.role in PHASES:
                text, at = by_role.get(role.role, ("", col - offset))
                amounts.append((role.role, text, at))
        extra = {name: by_role.get(name, ("", None))[0] for name in LINE_FIELDS}
        self.lines.append(ParsedLine(INCOME, " | ".join(labels), "", "", "", row.line_no,
                                     amounts=amounts, rate_raw=extra["rate"], weight_raw=extra["weight"],
                                     score_raw=extra["score"]))
        return True
