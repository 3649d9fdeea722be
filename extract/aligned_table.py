"""The Jiangsu 半年/全年 indicator tables: a row that stands under its header is read by column
role, any other row by the content rules of IndicatorTableParser.

The content rules ("the values are the last two non-empty cells, the 三级 name the one before
them") are what a row whose empty cells were dropped needs (a page break in text drops them,
and the samples have such rows), but they misread a row that leaves a value blank: the 三级
name becomes the half-year value and the 二级 label the 三级 name. A row that is aligned with
its header has no such doubt: each cell is what its column's header (seed
table_column_roles, the same vocabulary as extract/role_table.py) says, and a blank value
stays blank in its own column.

A row is aligned when nothing in it says it moved:

* it reaches the header's last named column (a text row that lost its empty cells is shorter);
* no text sits under a column the header names nothing for (a row shifted right or left
  puts a text between the named columns, or past them);
* its 三级指标 cell is filled, and what sits under 一级指标 / 二级指标 is a level label of the
  taxonomy seed (a 三级 name that slid left into a label column is not one); a 履职 group's
  二级 label is the unit's own free text, so under 履职 the 二级 column may hold any text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import itemgetter

from extract.cells import Row
from extract.column_roles import VALUE
from extract.indicator_table import IndicatorRow, IndicatorTableParser, TableHeader
from extract.role_table import LEVEL1, LEVEL2, LEVEL3, TableColumns, read_printed_total
from extract.taxonomy import DUTY_LEVEL1

HALF_YEAR, FULL_YEAR = "half_year", "full_year"
_COL = itemgetter(0)  # of a (column, text) cell of `Row.filled`


def legacy_header(columns: TableColumns) -> TableHeader:
    """The column of each role the content rules still ask about, from the seed's roles."""
    def value_col(period: str) -> int | None:
        return next((col for col, role in sorted(columns.roles.items())
                     if role.role == VALUE and role.period == period), None)
    return TableHeader(columns.col_of(LEVEL1), columns.col_of(LEVEL2), columns.col_of(LEVEL3),
                       columns.col_of("key_work"), columns.col_of("linked_project"),
                       value_col(HALF_YEAR), value_col(FULL_YEAR))


@dataclass(slots=True)
class AlignedTableParser(IndicatorTableParser):
    """Reads a 半年/全年 table: aligned rows by column role, the others by content."""

    columns: TableColumns = field(default_factory=lambda: TableColumns({}))
    # what `_is_aligned` asks of the header for every row, worked out once per table: the width a
    # row needs to reach the last named column, and the named columns
    reach: int = field(init=False, default=0)
    named: frozenset[int] = field(init=False, default=frozenset())

    def __post_init__(self) -> None:
        self.reach = max(self.columns.roles, default=-1) + 1
        self.named = frozenset(self.columns.roles)

    def read(self, row: Row) -> None:
        if (total := read_printed_total(row, self.total_words, self.columns.roles)) is not None:
            self.printed_totals.append(total)
        elif self._is_aligned(row):
            self._read_aligned(row)
        else:
            IndicatorTableParser.read(self, row)

    def _is_aligned(self, row: Row) -> bool:
        """Whether every cell of the row stands under the header column that names it."""
        header = self.header
        if not self.named or header.level3_col is None or len(row.cells) < self.reach:
            return False
        if not all(map(self.named.__contains__, map(_COL, row.filled))):
            return False
        if not row.cells[header.level3_col]:
            return False
        level1_text = row.cells[header.level1_col] if header.level1_col is not None else ""
        if level1_text and not self.taxonomy.is_label(level1_text):
            return False
        level2_text = row.cells[header.level2_col] if header.level2_col is not None else ""
        in_duty_group = (self.taxonomy.meaning(level1_text).level1 == DUTY_LEVEL1 if level1_text
                         else self.level1.canonical == DUTY_LEVEL1)
        return not level2_text or in_duty_group or self.taxonomy.is_label(level2_text)

    def _read_aligned(self, row: Row) -> None:
        """The row's cells by the role of their column; blank cells stay blank."""
        header = self.header
        assert header.level3_col is not None  # _is_aligned checked it
        labels = [(col, row.cells[col]) for col in (header.level1_col, header.level2_col)
                  if col is not None and row.cells[col]]
        indicator = IndicatorRow(
            self.table_seq, "", "", row.cells[header.level3_col], "", "", _cell(row, header.half_col),
            _cell(row, header.full_col), "", "", row.line_no, header.level3_col, header.half_col, header.full_col)
        if not indicator.half_year_raw and not indicator.full_year_raw:
            self.warnings.append((row.line_no, "missing_value",
                                  f"indicator row '{indicator.level3_raw}' has 0 of 2 target values"))
        self._apply_labels(row, labels, indicator)
        self._apply_duty_cells(indicator, _cell(row, header.key_work_col), _cell(row, header.linked_col))
        self.rows.append(indicator)


def _cell(row: Row, col: int | None) -> str:
    return row.cells[col] if col is not None and col < len(row.cells) else ""
