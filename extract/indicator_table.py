"""Indicator tables → indicator rows with merged 一级/二级 labels resolved.

Printed tables lose their merged cells: a 一级/二级 label is printed once per group (on its
first row, or in the middle of the group when the cell was vertically centred, even after a
page break), a 二级 label can land in the 一级 column, and rows shift a column or two. A row
that stands under its header is read by column role (extract/aligned_table.py); for the others
this reader works on content, not on column positions:

* values are the last two non-empty cells, the 三级 name the one before them;
* in a 履职 table (header has 重点工作/对应项目) the two cells left of the 三级 name are
  对应项目 and 重点工作 (by header column when the row is aligned with its header);
* what remains on the left are level labels, told apart with the taxonomy seed;
* a level-1 label equal to the current one is the same merged cell printed mid-group: rows
  above it that had no level-1 text take it (`merged_group`); a level-2 label whose family
  is another level 1 opens that level-1 group (`taxonomy`) until its label is printed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.cells import Row
from extract.script_forms import matching_label
from extract.taxonomy import DUTY_LEVEL1, Taxonomy

CELL, SPAN, FFILL, MERGED_GROUP, TAXONOMY = "cell", "span", "ffill", "merged_group", "taxonomy"


@dataclass(slots=True)
class IndicatorRow:
    table_seq: int
    level1_raw: str
    level2_raw: str
    level3_raw: str
    key_work_raw: str
    linked_project_raw: str
    half_year_raw: str
    full_year_raw: str
    level1_fill: str
    level2_fill: str
    position: int  # the row's `Row.line_no`
    level3_col: int | None = None
    half_col: int | None = None
    full_col: int | None = None
    # read by column role (extract/role_table.py): every value column of the header, and the
    # weight / score / direction / standard / deviation cells; None for the 半年/全年 tables
    values: list[ValueCell] | None = None
    extras: dict[str, str] = field(default_factory=dict)
    project: int | None = None  # index into the table's projects when one table lists several


@dataclass(slots=True)
class ValueCell:
    """One target or actual value of a row, as printed; a split value keeps its parts."""

    period: str
    kind: str
    value_raw: str
    comparator_raw: str = ""
    number_raw: str = ""
    unit_raw: str = ""
    col: int | None = None


@dataclass(frozen=True, slots=True)
class PrintedTotal:
    """The total row closing a table (合计 | 100 | 95): the full marks (its weights' sum) and the
    score as printed, blank when the row leaves one out, so the warehouse can check the rows
    against them."""

    weight_raw: str
    score_raw: str
    text: str  # the row's cells as printed, joined with ' | '
    position: int  # the row's `Row.line_no`


@dataclass(frozen=True, slots=True)
class TableHeader:
    """Column positions named by an indicator header row (any may be missing), from the roles
    the seed table_column_roles gives its cells (extract/aligned_table.py `legacy_header`)."""

    level1_col: int | None
    level2_col: int | None
    level3_col: int | None
    key_work_col: int | None
    linked_col: int | None
    half_col: int | None
    full_col: int | None

    @property
    def is_duty_table(self) -> bool:
        return self.key_work_col is not None or self.linked_col is not None


def is_header_row(row: Row) -> bool:
    """Asked of every row of every target form: a substring test on the joined cells (in C)
    rules out almost all rows before any cell is looked at one by one."""
    joined = "\t".join(row.cells)
    if "一级" not in joined and "一級" not in joined:  # '一级 指标', '一级\n指标' and '一級指標' too
        return False
    return any(("一级" in text or "一級" in text) and matching_label(text) == "一级指标"
               for _, text in row.filled)


@dataclass(slots=True)
class _Group:
    """The current merged label of one level and the rows still waiting for its printed text."""

    raw: str = ""
    canonical: str | None = None
    printed: bool = False
    col: int | None = None  # where the label was printed: a cell spanning down from there covers later rows
    waiting: list[IndicatorRow] = field(default_factory=list)


@dataclass(slots=True)
class IndicatorTableParser:
    """Reads the rows of one indicator table (one header row and what follows it)."""

    taxonomy: Taxonomy
    header: TableHeader
    table_seq: int
    rows: list[IndicatorRow] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    level1: _Group = field(default_factory=_Group)
    level2: _Group = field(default_factory=_Group)
    key_work: str = ""
    linked_project: str = ""
    key_work_groups: list[list[IndicatorRow]] = field(default_factory=list)
    total_words: frozenset[str] = frozenset()  # first cells of a total row (seed form_labels)
    printed_totals: list[PrintedTotal] = field(default_factory=list)

    # -- row reading -------------------------------------------------------------------------
    def read(self, row: Row) -> None:
        filled = row.filled
        if not filled:
            return
        if len(filled) <= 2 and all(self.taxonomy.is_label(text) for _, text in filled):
            self._apply_labels(row, list(filled), indicator=None)
            return
        if len(filled) < 3:
            self._read_short_row(row, filled)
            return
        (l3_col, level3), (half_col, half), (full_col, full) = filled[-3], filled[-2], filled[-1]
        left = filled[:-3]
        key_work = linked = ""
        if self.header.is_duty_table:
            key_work, linked, left = self._split_duty_cells(row, l3_col, left)
        if len(left) > 2:
            self.warnings.append((row.line_no, "unexpected_cell_count",
                                  f"{len(filled)} filled cells; extra cells before the 三级指标 ignored: "
                                  + " / ".join(t for _, t in left[2:])))
            left = left[:2]
        indicator = IndicatorRow(self.table_seq, "", "", level3, "", "", half, full, "", "", row.line_no,
                                 l3_col, half_col, full_col)
        self._apply_labels(row, left, indicator)
        self._apply_duty_cells(indicator, key_work, linked)
        self.rows.append(indicator)

    def _read_short_row(self, row: Row, filled: list[tuple[int, str]]) -> None:
        """One or two cells that are not all labels: a 三级 name missing a value (or both)."""
        if self.taxonomy.is_label(filled[0][1]) and len(filled) == 2:
            labels, (l3_col, level3), values = [filled[0]], filled[1], []
        else:
            labels, (l3_col, level3), values = [], filled[0], filled[1:]
        half = full = ""
        half_col, full_col = self.header.half_col, self.header.full_col
        for col, text in values:
            if col == self.header.half_col:
                half, half_col = text, col
            else:
                full, full_col = text, col
        self.warnings.append((row.line_no, "missing_value",
                              f"indicator row '{level3}' has {len(values)} of 2 target values"))
        indicator = IndicatorRow(self.table_seq, "", "", level3, "", "", half, full, "", "", row.line_no,
                                 l3_col, half_col, full_col)
        self._apply_labels(row, labels, indicator)
        self._apply_duty_cells(indicator, "", "")
        self.rows.append(indicator)

    # -- 履职 table columns ---------------------------------------------------------------------
    def _split_duty_cells(self, row: Row, l3_col: int, left: list[tuple[int, str]]):
        """(重点工作, 对应项目, label cells) of a 履职 row: by the header's columns when the row
        lines up with its header, else the two columns left of the 三级 name."""
        if l3_col == self.header.level3_col:
            kw_col, lp_col = self.header.key_work_col, self.header.linked_col
        else:
            kw_col, lp_col = l3_col - 2, l3_col - 1
        key_work = linked = ""
        labels = []
        for col, text in left:
            if col == lp_col and not self.taxonomy.is_label(text):
                linked = text
            elif col == kw_col and not self.taxonomy.is_label(text):
                key_work = text
            elif kw_col is None or col < kw_col or self.taxonomy.is_label(text):
                labels.append((col, text))
            else:
                self.warnings.append((row.line_no, "unexpected_cell_count", f"unplaced cell '{text}'"))
        return key_work, linked, labels

    def _apply_duty_cells(self, indicator: IndicatorRow, key_work: str, linked: str) -> None:
        if key_work:
            self.key_work, self.linked_project = key_work, linked
            self.key_work_groups.append([indicator])
        else:
            if linked:
                self.linked_project = linked
            if self.key_work_groups and self.key_work:
                self.key_work_groups[-1].append(indicator)
        indicator.key_work_raw = self.key_work
        indicator.linked_project_raw = self.linked_project

    # -- level labels ----------------------------------------------------------------------
    def _classify(self, cells: list[tuple[int, str]]) -> tuple[str | None, str | None]:
        """(level-1 text, level-2 text) printed on a row, from its 0–2 label cells."""
        if not cells:
            return None, None
        if len(cells) == 2:
            return cells[0][1], cells[1][1]
        col, text = cells[0]
        meaning = self.taxonomy.meaning(text)
        if meaning.level1 and meaning.level2_parent:
            same_family = meaning.level2_parent == self.level1.canonical
            return (None, text) if same_family else (text, None)
        if meaning.level1:
            return text, None
        if meaning.level2_parent:
            return None, text
        if col == self.header.level1_col and self.level1.canonical != DUTY_LEVEL1:
            return text, None
        return None, text

    def _apply_labels(self, row: Row, cells: list[tuple[int, str]], indicator: IndicatorRow | None) -> None:
        printed1, printed2 = self._classify(cells)
        if printed1:
            self._print_level1(printed1, _col_of(cells, printed1))
        if printed2:
            self._print_level2(printed2, _col_of(cells, printed2), level1_printed=bool(printed1))
        if printed1 and not self.taxonomy.is_label(printed1):
            self.warnings.append((row.line_no, "unknown_level_label",
                                  f"'{printed1}' is not a level-1 label of the taxonomy seed"))
        if printed2 and not self.taxonomy.is_label(printed2) and self.level1.canonical != DUTY_LEVEL1:
            self.warnings.append((row.line_no, "unknown_level_label",
                                  f"'{printed2}' is not a level-2 label of the taxonomy seed"))
        if indicator is None:
            return
        indicator.level1_raw, indicator.level1_fill = self._take(self.level1, printed1, indicator, row)
        indicator.level2_raw, indicator.level2_fill = self._take(self.level2, printed2, indicator, row)

    def _print_level1(self, text: str, col: int | None) -> None:
        canonical = self.taxonomy.level1_of(text) or text
        if self.level1.canonical in (None, canonical):
            # the group's merged cell, printed on a later row than the group's first
            if not self.level1.printed:
                for waiting in self.level1.waiting:
                    waiting.level1_raw, waiting.level1_fill = text, MERGED_GROUP
                self.level1 = _Group(raw=text, canonical=canonical, printed=True, col=col)
            return
        self.level1 = _Group(raw=text, canonical=canonical, printed=True, col=col)
        self.level2 = _Group()

    def _print_level2(self, text: str, col: int | None, level1_printed: bool) -> None:
        parent = self.taxonomy.meaning(text).level2_parent
        if not level1_printed and parent and parent != self.level1.canonical:
            self.level1 = _Group(raw=parent, canonical=parent, printed=False)
            self.level2 = _Group()
        if not self.level2.printed:
            for waiting in self.level2.waiting:
                waiting.level2_raw, waiting.level2_fill = text, MERGED_GROUP
        self.level2 = _Group(raw=text, canonical=parent, printed=True, col=col)
        self.key_work = self.linked_project = ""

    @staticmethod
    def _take(group: _Group, printed: str | None, indicator: IndicatorRow, row: Row) -> tuple[str, str]:
        if printed:
            return printed, CELL
        if group.printed:
            # the format says the label's cell spans down over this row; text leaves it blank
            return group.raw, SPAN if row.spanned_text(group.col) == group.raw else FFILL
        group.waiting.append(indicator)
        return group.raw, (TAXONOMY if group.raw else "")

    # -- end of table ----------------------------------------------------------------------
    def finish(self) -> list[IndicatorRow]:
        """Split a 重点工作 cell listing one task per row of its merged group; report rows
        whose level labels were never printed."""
        for group in self.key_work_groups:
            tasks = group[0].key_work_raw.split()
            if len(group) > 1 and len(tasks) == len(group):
                for indicator, task in zip(group, tasks, strict=True):
                    indicator.key_work_raw = task
        for indicator in self.rows:
            if not indicator.level1_raw or not indicator.level2_raw:
                self.warnings.append((indicator.position, "missing_level_label",
                                      f"no {'一级' if not indicator.level1_raw else '二级'} label for "
                                      f"'{indicator.level3_raw}'"))
        return self.rows


def _col_of(cells: list[tuple[int, str]], text: str) -> int | None:
    return next((col for col, cell_text in cells if cell_text == text), None)
