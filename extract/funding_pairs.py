"""Funding printed as label/amount pairs on a row ('中期市财政预算(万元) | 284500.00 | 本年度申请
市财政预算资金(万元) | 919.00'; Shanghai's '项目资金总额 | 10,308,000.00 | 年度资金申请总额 |
3,498,000.00'). A pair's label names its phase (seed table_column_roles, table `funding_pair`);
the rows below a row of pairs print their components the same way ('其中：财政资金 | …'), each
under the phase of the pair above it.

The block states where the project's money comes from (its total, 其中：财政资金 / 当年财政拨款,
上年结转资金, 其他资金), so every line is income, as the Jiangsu funding block's 资金总额 and its
sources are: a pair the seed names is a total, a component's parent is the total of its phase.
When the totals are printed on separate rows (a PDF's text layer, one fragment per line), the
columns that tell the phases apart are lost. A component's phase is then guessed, and the block
says so with a warning: a label the seed names for a phase (table `funding_pair_component`:
当年财政拨款 and 上年结转资金 are the year's) takes it; a label printed again in the block (其他资金
under each total) takes the next total's phase; any other the first total's."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.cells import Row, is_amount_cell, squash
from extract.column_roles import RoleVocabulary
from extract.funding import INCOME, ParsedLine

FUNDING_PAIR = "funding_pair"
FUNDING_PAIR_COMPONENT = "funding_pair_component"
_UNIT = re.compile(r"\((万元|元)\)")


def _pairs(row: Row) -> list[tuple[int, str, int, str]]:
    """(label col, label, amount col, amount) of each label followed by an amount. Each cell
    is asked once whether it is an amount (it is the label of one pair and the amount of the
    one before)."""
    filled = row.filled
    if len(filled) < 2:
        return []
    amounts = [is_amount_cell(text) for _, text in filled]
    return [(col, text, next_col, following)
            for (col, text), (next_col, following), is_amount, next_is_amount
            in zip(filled, filled[1:], amounts, amounts[1:], strict=False)
            if not is_amount and next_is_amount]


@dataclass(slots=True)
class FundingPairsParser:
    """The rows of one block of label/amount pairs; `read` says whether a row was one."""

    vocabulary: RoleVocabulary
    phases: list[tuple[int, str]] = field(default_factory=list)  # (label col, phase) of the opening row
    lines: list[ParsedLine] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    unit: str = ""
    totals: dict[str, str] = field(default_factory=dict)  # phase → label of the pair the seed names
    opening_row: int | None = None
    phases_unsure: bool = False  # a total printed on a later row than the opening one

    @classmethod
    def opened_by(cls, row: Row, vocabulary: RoleVocabulary) -> FundingPairsParser | None:
        """The block a row with at least one pair whose label the seed knows starts (its pairs
        read), else None. Asked of most rows above the indicator tables, so a row that opens
        no block builds no parser and has its pairs found once."""
        pairs = _pairs(row)
        phases = []
        unit = ""
        for col, text, _, _ in pairs:
            role = vocabulary.role_of(FUNDING_PAIR, text)
            if role is not None:
                phases.append((col, role.role))
                if not unit:
                    found = _UNIT.search(squash(text))
                    unit = found.group(1) if found else ""
        if not phases:
            return None
        parser = cls(vocabulary, phases, unit=unit, opening_row=row.line_no)
        parser._read_pairs(row, pairs)
        return parser

    def read(self, row: Row) -> bool:
        pairs = _pairs(row)
        if not pairs:
            return False
        self._read_pairs(row, pairs)
        return True

    def _read_pairs(self, row: Row, pairs: list[tuple[int, str, int, str]]) -> None:
        for col, label, amount_col, amount in pairs:
            known = self.vocabulary.role_of(FUNDING_PAIR, label)
            if known is not None:
                phase, parent = known.role, ""
                self.totals.setdefault(phase, label)
                self.phases_unsure = self.phases_unsure or row.line_no != self.opening_row
            else:
                phase = self._guess_phase(label) if self.phases_unsure else self._phase_at(col)
                parent = self.totals.get(phase, "")
                self._warn_unsure(row, label)
            self.lines.append(ParsedLine(INCOME, label, parent, "", "", row.line_no,
                                         amounts=[(phase, amount, amount_col)]))

    def _warn_unsure(self, row: Row, label: str) -> None:
        """Once per block: the components' phases are guesses when the totals' columns were lost."""
        if self.phases_unsure and not any(code == "funding_phase_unsure" for _, code, _ in self.warnings):
            self.warnings.append((row.line_no, "funding_phase_unsure",
                                  f"funding totals printed on separate rows: the phase of '{label}' and the "
                                  "components after it is a guess from their position"))

    def _guess_phase(self, label: str) -> str:
        """A component's phase when the columns are lost (see the module docstring)."""
        hint = self.vocabulary.role_of(FUNDING_PAIR_COMPONENT, label)
        if hint is not None and hint.role in self.totals:
            return hint.role
        order = list(self.totals)
        earlier = [line.amounts[0][0] for line in self.lines
                   if line.label_raw == label and line.amounts and line.amounts[0][0] in order]
        if earlier and order.index(earlier[-1]) + 1 < len(order):
            return order[order.index(earlier[-1]) + 1]
        return order[0] if order else self.phases[0][1]

    def _phase_at(self, col: int) -> str:
        """The phase of the nearest pair of the opening row at or left of `col`."""
        left = [phase for phase_col, phase in self.phases if phase_col <= col]
        return left[-1] if left else self.phases[0][1]
