"""The funding block (项目资金/部门整体资金（万元）) → budget lines, amounts as printed.

Income has one amount column (全年预算数). Expenditure has two (半年计划执行数, 全年预算数),
but documents put both in one cell ('2000 4128.4', '序时进度 25227'), shift rows a column
or two, or print only one of the two columns. The rules, in order:
1. two tokens in one cell, or two amount cells → (half-year, full-year);
2. one amount → the header column it sits under, else the only column the header names,
   else full-year (the annual budget is the amount every form has).

An amount cell that is no plain number ('约100', '1e6', '-', '100万') is still an amount: it
lands raw in its column with an `amount_not_a_number` warning, never in the label. A negative
amount is legal only under a label naming a balance or a reduction (seed
negative_amount_labels, read by dbt too); anywhere else it lands with a `negative_amount` warning.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.cells import (
    Row,
    amount_tokens,
    ascii_form,
    attempted_amount_tokens,
    is_amount_attempt,
    is_amount_token,
    squash,
)
from extract.taxonomy import seeds_dir

_BLOCK_START = re.compile(r"资金\(([^)]*)\)")
_HEADER_WORDS = ("预算数", "执行数", "收入情况", "支出情况")
INCOME = "income"
EXPENDITURE = "expenditure"
NEGATIVE_LABELS_SEED = "negative_amount_labels.csv"


@lru_cache(maxsize=4)
def load_negative_amount_labels(path: str | None = None) -> frozenset[str]:
    """The label words under which a negative amount is legal (结余, 调减 …): the seed
    negative_amount_labels, the list dbt's is_negative_allowed reads too."""
    seed = Path(path) if path else seeds_dir() / NEGATIVE_LABELS_SEED
    with seed.open(encoding="utf-8", newline="") as handle:
        return frozenset(squash(entry["word"]) for entry in csv.DictReader(handle) if entry["word"].strip())


def label_allows_negative(label_raw: str, words: frozenset[str]) -> bool:
    """A balance or a reduction may be negative: its label (spaces and '|' joiners ignored, as
    dbt's pb_name_key does) names one of the seed's words."""
    key = squash(label_raw).replace("|", "")
    return any(word in key for word in words)


_Placed = tuple[str, int | None]


def _placed(token: tuple[int, str]) -> _Placed:
    col, text = token
    return text, col


@dataclass(slots=True)
class ParsedLine:
    direction: str
    label_raw: str
    parent_label_raw: str
    half_year_raw: str
    full_year_raw: str
    position: int  # the row's `Row.line_no`
    half_col: int | None = None  # the cells the amounts were printed in (both the same when one cell holds two)
    full_col: int | None = None
    # a funding table read by column role (self-evaluations): (phase, amount as printed, column)
    # for each amount column, and the line's rate, weight and score; None for the blocks above
    amounts: list[tuple[str, str, int | None]] | None = None
    rate_raw: str = ""
    weight_raw: str = ""
    score_raw: str = ""
    amount_unit: str = ""  # a unit of its own (a sentence's 万元 in a form printed in 元), else the form's


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
    negative_labels: frozenset[str] = field(default_factory=load_negative_amount_labels)

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

    def _in_amount_zone(self, col: int, last_col: int) -> bool:
        """Where a row prints its amounts: from one column left of the header's leftmost amount
        column rightwards (rows drift a column: 004's income amounts sit left of, under and
        right of 全年预算数), or the row's last cell (000's rows after the page break start two
        columns left, and an amount is what ends a funding row)."""
        columns = [c for c in (self.half_col, self.full_col) if c is not None]
        return col == last_col or (bool(columns) and col >= min(columns) - 1)

    def _split_cells(self, row: Row) -> tuple[list[tuple[int, str]], list[tuple[int, list[str]]]]:
        """Label cells and amount cells of a line. A cell right of the label that is meant as an
        amount but is no number ('约100', '-') counts as an amount, not as a second label: a
        label cell ('小计') holds no digit."""
        label_cells: list[tuple[int, str]] = []
        amounts: list[tuple[int, list[str]]] = []
        last_col = row.filled[-1][0]
        for col, text in row.filled:
            tokens = amount_tokens(text)
            if tokens is not None:
                amounts.append((col, tokens))
            elif label_cells and self._in_amount_zone(col, last_col) and is_amount_attempt(text):
                amounts.append((col, attempted_amount_tokens(text)))
            elif not any(word in text for word in _HEADER_WORDS):
                label_cells.append((col, text))
        return label_cells, amounts

    def _read_line(self, row: Row) -> None:
        label_cells, amounts = self._split_cells(row)
        if not label_cells:
            if amounts:
                self.warnings.append((row.line_no, "unlabelled_amount", "an amount with no label"))
            return
        label_col = label_cells[0][0]
        label_raw = " | ".join(text for _, text in label_cells)
        (half, half_col), (full, full_col) = self._place_amounts(row.line_no, amounts)
        while self.parents and self.parents[-1][0] >= label_col:
            self.parents.pop()
        parent = self.parents[-1][1] if self.parents else ""
        if len(label_cells) > 1:
            self.parents.append((label_col, label_cells[0][1]))
        self.lines.append(ParsedLine(self.direction, label_raw, parent, half, full, row.line_no,
                                     half_col if half_col is not None else self.half_col,
                                     full_col if full_col is not None else self.full_col))
        self._check_amounts(row.line_no, label_raw, amounts, (half, full))

    def _check_amounts(self, line_no: int, label_raw: str, amounts: list[tuple[int, list[str]]],
                       placed: tuple[str, str]) -> None:
        """Warn, naming line and value, about an amount that is no number and about a negative
        amount under a label that is no balance or reduction: both land as printed."""
        for _, tokens in amounts:
            for token in tokens:
                if not is_amount_token(token):
                    self.warnings.append((line_no, "amount_not_a_number",
                                          f"'{label_raw}': amount '{token}' is not a number (kept as printed)"))
        for value in placed:
            if (value and ascii_form(value).startswith("-") and is_amount_token(value)
                    and not label_allows_negative(label_raw, self.negative_labels)):
                self.warnings.append((line_no, "negative_amount",
                                      f"'{label_raw}': negative amount '{value}' on a line that is no balance "
                                      "or reduction (seed negative_amount_labels)"))

    def _place_amounts(self, line_no: int, amounts: list[tuple[int, list[str]]]) -> tuple[_Placed, _Placed]:
        """((half-year text, its cell's column), (full-year text, its column)); a blank amount
        has no column of its own (the header's is used for its locator)."""
        tokens = [(col, token) for col, cell_tokens in amounts for token in cell_tokens]
        blank: _Placed = ("", None)
        if not tokens:
            return blank, blank
        if self.direction == INCOME:
            if len(tokens) > 1:
                self.warnings.append((line_no, "unexpected_cell_count", "income line with more than one amount"))
            return blank, _placed(tokens[-1])
        if len(tokens) >= 2:
            if len(tokens) > 2:
                self.warnings.append((line_no, "unexpected_cell_count", "expenditure line with more than two amounts"))
            return _placed(tokens[-2]), _placed(tokens[-1])
        only = _placed(tokens[0])
        col = only[1]
        if col == self.half_col and col != self.full_col:
            return only, blank
        if col == self.full_col and col != self.half_col:
            return blank, only
        if self.half_col is not None and self.full_col is None:
            return only, blank
        if self.half_col is not None and self.full_col is not None and self.half_col != self.full_col:
            nearer_half = abs(col - self.half_col) < abs(col - self.full_col)
            return (only, blank) if nearer_half else (blank, only)
        return blank, only
