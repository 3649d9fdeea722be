"""The funding block (项目资金/部门整体资金（万元）) → budget lines, amounts as printed.

Income has one amount column (全年预算数). Expenditure has two (半年计划执行数, 全年预算数),
but documents put both in one cell ('2000 4128.4', '序时进度 25227'), shift rows a column
or two, or print only one of the two columns. The rules, in order:
1. two tokens in one cell, or two amount cells → (half-year, full-year);
2. one amount → the header column it sits under, else the only column the header names,
   else full-year (the annual budget is the amount every form has).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.cells import Row, amount_tokens, squash

_BLOCK_START = re.compile(r"资金\(([^)]*)\)")
_HEADER_WORDS = ("预算数", "执行数", "收入情况", "支出情况")
INCOME = "income"
EXPENDITURE = "expenditure"


@dataclass(slots=True)
class ParsedLine:
    direction: str
    label_raw: str
    parent_label_raw: str
    half_year_raw: str
    full_year_raw: str
    source_line: int


@dataclass(slots=True)
class FundingParser:
    """Reads the rows of one funding block, keeping the current direction and column header."""

    lines: list[ParsedLine] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    direction: str = INCOME
    half_col: int | None = None
    full_col: int | None = None
    # label column and text of the last row that opened a nesting level (财政拨款 | 小计)
    parents: list[tuple[int, str]] = field(default_factory=list)

    @staticmethod
    def block_unit(row: Row) -> str | None:
        """'万元' if the row opens a funding block, else None."""
        for _, text in row.filled[:2]:
            match = _BLOCK_START.search(squash(text))
            if match:
                return match.group(1) or "万元"
        return None

    def read(self, row: Row) -> None:
        texts = [squash(t) for _, t in row.filled]
        if "收入" in texts or "支出" in texts:
            self._read_header(row, INCOME if "收入" in texts else EXPENDITURE)
            return
        self._read_line(row)

    def _read_header(self, row: Row, direction: str) -> None:
        self.direction = direction
        self.half_col = self.full_col = None
        self.parents = []
        for col, text in row.filled:
            words = squash(text)
            if "半年" in words:
                self.half_col = col
            if "全年" in words:
                self.full_col = col
        if self.half_col is None and self.full_col is None and direction == INCOME:
            self.full_col = next((c for c, t in row.filled if "预算数" in t), None)

    def _read_line(self, row: Row) -> None:
        label_cells: list[tuple[int, str]] = []
        amounts: list[tuple[int, list[str]]] = []
        for col, text in row.filled:
            tokens = amount_tokens(text)
            if tokens is not None:
                amounts.append((col, tokens))
            elif not any(word in text for word in _HEADER_WORDS):
                label_cells.append((col, text))
        if not label_cells:
            if amounts:
                self.warnings.append((row.line_no, "unlabelled_amount", "an amount with no label"))
            return
        label_col = label_cells[0][0]
        label_raw = " | ".join(text for _, text in label_cells)
        half, full = self._place_amounts(row.line_no, amounts)
        while self.parents and self.parents[-1][0] >= label_col:
            self.parents.pop()
        parent = self.parents[-1][1] if self.parents else ""
        if len(label_cells) > 1:
            self.parents.append((label_col, label_cells[0][1]))
        self.lines.append(ParsedLine(self.direction, label_raw, parent, half, full, row.line_no))

    def _place_amounts(self, line_no: int, amounts: list[tuple[int, list[str]]]) -> tuple[str, str]:
        tokens = [token for _, cell_tokens in amounts for token in cell_tokens]
        if not tokens:
            return "", ""
        if self.direction == INCOME:
            if len(tokens) > 1:
                self.warnings.append((line_no, "unexpected_cell_count", "income line with more than one amount"))
            return "", tokens[-1]
        if len(tokens) >= 2:
            if len(tokens) > 2:
                self.warnings.append((line_no, "unexpected_cell_count", "expenditure line with more than two amounts"))
            return tokens[-2], tokens[-1]
        col = amounts[0][0]
        if col == self.half_col and col != self.full_col:
            return tokens[0], ""
        if col == self.full_col and col != self.half_col:
            return "", tokens[0]
        if self.half_col is not None and self.full_col is None:
            return tokens[0], ""
        if self.half_col is not None and self.full_col is not None and self.half_col != self.full_col:
            nearer_half = abs(col - self.half_col) < abs(col - self.full_col)
            return (tokens[0], "") if nearer_half else ("", tokens[0])
        return "", tokens[0]
