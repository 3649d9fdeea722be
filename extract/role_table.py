"""Indicator tables read by column role: each header column's role comes from the seed
table_column_roles (extract/column_roles.py), and each row's cells are read by the role of the
column they sit under, so a blank cell stays blank in its own column.

Used for every template but the Jiangsu 半年/全年 one (extract/aligned_table.py reads its
aligned rows by the same roles and keeps the content rules of extract/indicator_table.py for
its shifted rows, which its samples need). What the header cannot tell is still read
from content, with the taxonomy seed:

* rows shift: a row whose merged cells were dropped (a project's columns on its later rows, a
  一级 label printed once per group) starts further left than its header. The row's first level
  label anchors it: it sits under the 一级 column when it is a level-1 label (or the next cell is
  a label too), else under the 二级 column;
* the level labels go through the merged-group rules of IndicatorTableParser;
* a header with two column sets (二级/三级/指标值 printed twice, 中期 and 年度 side by side) gives
  each row one value per set: the first set is the medium-term one (mid_term), the last the year's;
* a split value (指标性质 / 指标值 / 度量单位) is joined into value_raw and kept in its parts;
* a row listing a project's name (tables of several projects) opens that project: the rows
  after it are its rows until the next project's name;
* a row whose first cell is a total label (seed form_labels, `total_row`: 合计, 总分) is the
  table's printed total: its numbers are the full marks and the score, by the 权重 / 得分 column
  they sit under, else in the order printed (the full marks first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.cells import Row, amount_tokens, ascii_form, squash
from extract.column_roles import INDICATOR, VALUE, ColumnRole, RoleVocabulary
from extract.indicator_table import IndicatorRow, IndicatorTableParser, PrintedTotal, ValueCell
from extract.script_forms import matching_label

LEVEL1, LEVEL2, LEVEL3 = "level1", "level2", "level3"
COMPARATOR, NUMBER, UNIT = "comparator", "number", "unit"
EXTRA_ROLES = ("weight", "score", "direction", "standard", "deviation")
PROJECT_ROLES = ("unit_name", "project_name", "project_amount", "project_goal")
LEGACY_ROLES = frozenset({LEVEL1, LEVEL2, LEVEL3, "key_work", "linked_project", VALUE, "section"})
MID_TERM = "mid_term"
_REPEAT = "_repeat"
# a template's unfilled slot: 指标2, ……, … (a name with no text of its own)
_PLACEHOLDER = re.compile(r"^(指标\d*|[…\.。·]+|\d+)$")
# a number of points as a total row prints it: 100, 92.5, 100分
_POINTS = re.compile(r"\d+(?:\.\d+)?分?")
WEIGHT, SCORE = "weight", "score"


def read_printed_total(row: Row, total_words: frozenset[str], roles: dict[int, ColumnRole]) -> PrintedTotal | None:
    """The row as a table's printed total, or None when its first cell is no total label. A
    number under the 权重 / 得分 column is that; the others fill what is left, full marks first."""
    filled = row.filled
    if not filled or matching_label(filled[0][1]) not in total_words:
        return None
    found: dict[str, str] = {}
    loose: list[str] = []
    for col, text in filled[1:]:
        if _POINTS.fullmatch(ascii_form(squash(text))) is None:
            continue
        role = roles.get(col)
        if role is not None and role.role in (WEIGHT, SCORE) and role.role not in found:
            found[role.role] = text
        else:
            loose.append(text)
    for key in (WEIGHT, SCORE):
        if key not in found and loose:
            found[key] = loose.pop(0)
    return PrintedTotal(found.get(WEIGHT, ""), found.get(SCORE, ""), " | ".join(text for _, text in filled),
                        row.line_no)


@dataclass(frozen=True, slots=True)
class TableColumns:
    """The role of each column of one indicator table's header, and the header's text there
    (a project's goal lands under the label its column prints)."""

    roles: dict[int, ColumnRole]
    texts: dict[int, str] = field(default_factory=dict)
    # the leftmost column of each role, worked out once: `col_of` is asked per row (a row's offset)
    _first_cols: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        first: dict[str, int] = {}
        for col, role in sorted(self.roles.items()):
            first.setdefault(role.role, col)
        object.__setattr__(self, "_first_cols", first)

    def col_of(self, role: str) -> int | None:
        return self._first_cols.get(role)

    @property
    def value_keys(self) -> list[tuple[str, str]]:
        """(period, kind) of every value the header names, in column order."""
        keys: list[tuple[str, str]] = []
        for _, role in sorted(self.roles.items()):
            if role.role in (VALUE, NUMBER) and (role.period, role.kind) not in keys:
                keys.append((role.period, role.kind))
        return keys

    @property
    def has_second_set(self) -> bool:
        """Two column sets side by side (中期 and 年度)."""
        return any(role.role == LEVEL3 + _REPEAT for role in self.roles.values())

    @property
    def needs_roles(self) -> bool:
        """True unless the header is the Jiangsu one (labels, 重点工作/对应项目, 半年 and 全年
        values), which the content rules of IndicatorTableParser read."""
        names = {role.role for role in self.roles.values()}
        periods = {role.period for role in self.roles.values() if role.role == VALUE}
        return not (names <= LEGACY_ROLES and periods == {"half_year", "full_year"})


def header_columns(rows: list[Row], vocabulary: RoleVocabulary) -> TableColumns:
    """Roles from one header row, or two (a lower row refines the cells it sits under: 指标值
    above 半年 / 全年). Two column sets: the columns from the second 二级/三级 on are the
    year's set, the ones before it the medium-term set."""
    roles: dict[int, ColumnRole] = {}
    texts: dict[int, str] = {}
    for row in rows:
        for col, text in row.filled:
            role = vocabulary.role_of(INDICATOR, text)
            if role is not None:
                roles[col] = role
                texts.setdefault(col, text)
    second = [col for col, role in sorted(roles.items()) if role.role in (LEVEL2, LEVEL3)]
    level3_cols = [col for col, role in sorted(roles.items()) if role.role == LEVEL3]
    if len(level3_cols) > 1:
        start = min(col for col in second if col > level3_cols[0])
        for col, role in list(roles.items()):
            if col >= start and role.role in (LEVEL2, LEVEL3):
                roles[col] = ColumnRole(role.role + _REPEAT)
            elif col < start and role.role == VALUE and role.kind == "target":
                roles[col] = ColumnRole(VALUE, MID_TERM, role.kind)
    _split_value_columns(roles)
    return TableColumns(roles, texts)


def _split_value_columns(roles: dict[int, ColumnRole]) -> None:
    """A target value column next to a 指标性质 or 度量单位 column holds only the number."""
    for col, role in list(roles.items()):
        if role.role != VALUE or role.kind != "target":
            continue
        left, right = roles.get(col - 1), roles.get(col + 1)
        if (left is not None and left.role == COMPARATOR) or (right is not None and right.role == UNIT):
            roles[col] = ColumnRole(NUMBER, role.period, role.kind)


def is_lower_header(row: Row, vocabulary: RoleVocabulary, taxonomy_is_label) -> bool:
    """A second header row: every cell names a value column (半年, 全年, 实际完成值 …) and
    none is a level label."""
    filled = row.filled
    return bool(filled) and all(
        (role := vocabulary.role_of(INDICATOR, text)) is not None and role.role not in (LEVEL1, LEVEL2, LEVEL3)
        and not taxonomy_is_label(text) for _, text in filled)


@dataclass(slots=True)
class Project:
    """A project listed in a table of several: its name, unit, budget and goal as printed."""

    unit_name: str
    project_name: str
    amount_raw: str
    goal: str
    position: int
    amount_col: int | None
    goal_col: int | None = None
    goal_label: str = ""  # the header's text over the goal column (年度目标)


@dataclass(slots=True)
class TableTotal:
    """A row of a several-projects table naming a unit and its total (no indicator)."""

    label_raw: str
    amount_raw: str
    position: int
    amount_col: int | None


@dataclass(slots=True)
class RoleTableParser(IndicatorTableParser):
    """Reads one indicator table by column role (see the module docstring)."""

    columns: TableColumns = field(default_factory=lambda: TableColumns({}))
    projects: list[Project] = field(default_factory=list)
    totals: list[TableTotal] = field(default_factory=list)

    def read(self, row: Row) -> None:
        if not row.filled:
            return
        if (total := read_printed_total(row, self.total_words, self.columns.roles)) is not None:
            self.printed_totals.append(total)
            return
        offset = self._offset(row)
        placed: dict[str, list[tuple[int, str]]] = {}
        values: dict[tuple[str, str, str], tuple[int, str]] = {}
        unplaced: list[str] = []
        for col, text in row.filled:
            role = self.columns.roles.get(col + offset)
            if role is None:
                unplaced.append(text)
            elif role.role in (VALUE, NUMBER, COMPARATOR, UNIT):
                key = (role.role, role.period, role.kind)
                if role.role in (COMPARATOR, UNIT):
                    key = (role.role, *self._split_key(col + offset))
                values[key] = (col, text)
            else:
                placed.setdefault(role.role, []).append((col, text))
        self._read_project(row, placed)
        labels = sorted(placed.get(LEVEL1, []) + placed.get(LEVEL2, []))
        level3 = " ".join(text for _, text in placed.get(LEVEL3, []))
        known_labels = bool(labels) and all(self.taxonomy.is_label(text) for _, text in labels)
        if not level3:
            if known_labels and not values:
                self._apply_labels(row, labels, indicator=None)
            elif values or unplaced or placed:
                self._no_indicator(row, placed, values, unplaced)
            return
        cells = self._value_cells(values)
        if not any(cell.value_raw for cell in cells) and not known_labels and not _PLACEHOLDER.match(squash(level3)):
            # a header or prose row under the table (主管部门 … 实施单位 …), not an indicator
            self._no_indicator(row, placed, values, unplaced)
            return
        if _PLACEHOLDER.match(squash(level3)) and not any(cell.value_raw for cell in cells):
            self.warnings.append((row.line_no, "template_placeholder",
                                  f"unfilled template row '{level3}' skipped"))
            if labels:
                self._apply_labels(row, labels, indicator=None)
            return
        if unplaced:
            self.warnings.append((row.line_no, "unexpected_cell_count",
                                  "cells under no header column: " + " / ".join(unplaced)))
        l3_col = placed[LEVEL3][0][0]
        indicator = IndicatorRow(self.table_seq, "", "", level3, "", "", "", "", "", "", row.line_no, l3_col,
                                 values=cells, project=len(self.projects) - 1 if self.projects else None)
        indicator.extras = {role: " ".join(t for _, t in placed[role]) for role in EXTRA_ROLES if role in placed}
        self._apply_labels(row, labels, indicator)
        self._apply_duty_cells(indicator, " ".join(t for _, t in placed.get("key_work", [])),
                               " ".join(t for _, t in placed.get("linked_project", [])))
        self.rows.append(indicator)
        if self.columns.has_second_set:
            self._second_set(indicator, placed)

    def _second_set(self, indicator: IndicatorRow, placed: dict[str, list[tuple[int, str]]]) -> None:
        """The year's column set of a 中期 + 年度 table: its own row, with the 二级 and 三级
        labels it prints (the first set's where it prints none) and the year's values only."""
        values = indicator.values or []
        indicator.values = [v for v in values if v.period == MID_TERM]
        level2 = placed.get(LEVEL2 + _REPEAT, [])
        level3 = placed.get(LEVEL3 + _REPEAT, [])
        second = IndicatorRow(
            self.table_seq, indicator.level1_raw, level2[0][1] if level2 else indicator.level2_raw,
            level3[0][1] if level3 else indicator.level3_raw, indicator.key_work_raw, indicator.linked_project_raw,
            "", "", indicator.level1_fill, "cell" if level2 else indicator.level2_fill, indicator.position,
            level3[0][0] if level3 else indicator.level3_col, values=[v for v in values if v.period != MID_TERM],
            extras=dict(indicator.extras), project=indicator.project)
        self.rows.append(second)

    def _split_key(self, col: int) -> tuple[str, str]:
        """(period, kind) of the number column a 指标性质 / 度量单位 column belongs to."""
        for near in (col + 1, col - 1, col + 2, col - 2):
            role = self.columns.roles.get(near)
            if role is not None and role.role == NUMBER:
                return role.period, role.kind
        return "full_year", "target"

    def _value_cells(self, values: dict[tuple[str, str, str], tuple[int, str]]) -> list[ValueCell]:
        """One ValueCell per value the header names, blank where the row leaves it blank."""
        cells = []
        for period, kind in self.columns.value_keys:
            comparator = values.get((COMPARATOR, period, kind))
            number = values.get((NUMBER, period, kind))
            unit = values.get((UNIT, period, kind))
            whole = values.get((VALUE, period, kind))
            if number is not None or comparator is not None or unit is not None:
                parts = [part[1] if part else "" for part in (comparator, number, unit)]
                col = next(part[0] for part in (number, comparator, unit) if part is not None)
                cells.append(ValueCell(period, kind, "".join(parts), *parts, col=col))
            else:
                col = whole[0] if whole else self._col_of_value(period, kind)
                cells.append(ValueCell(period, kind, whole[1] if whole else "", col=col))
        return cells

    def _col_of_value(self, period: str, kind: str) -> int | None:
        return next((col for col, role in sorted(self.columns.roles.items())
                     if role.role in (VALUE, NUMBER) and (role.period, role.kind) == (period, kind)), None)

    def _offset(self, row: Row) -> int:
        """How far right of its header column a row's cells sit (see the module docstring)."""
        filled = row.filled
        for index, (col, text) in enumerate(filled):
            meaning = self.taxonomy.meaning(text)
            if not (meaning.level1 or meaning.level2_parent):
                continue
            following = filled[index + 1] if index + 1 < len(filled) else None
            next_is_label = following is not None and self.taxonomy.is_label(following[1])
            if meaning.level1 and (next_is_label or not meaning.level2_parent
                                   or meaning.level2_parent != self.level1.canonical):
                target = self.columns.col_of(LEVEL1)
            else:
                target = self.columns.col_of(LEVEL2)
            return target - col if target is not None else 0
        return 0

    def _read_project(self, row: Row, placed: dict[str, list[tuple[int, str]]]) -> None:
        """A row naming a project opens it; the name is its text, not an amount."""
        names = [text for _, text in placed.get("project_name", []) if amount_tokens(text) is None]
        if not names:
            return
        amount = placed.get("project_amount", [])
        goal = placed.get("project_goal", [])
        goal_header = self.columns.col_of("project_goal")
        self.projects.append(Project(
            unit_name=" ".join(t for _, t in placed.get("unit_name", [])), project_name=" ".join(names),
            amount_raw=amount[0][1] if amount else "", goal=" ".join(t for _, t in goal),
            position=row.line_no, amount_col=amount[0][0] if amount else None, goal_col=goal[0][0] if goal else None,
            goal_label=self.columns.texts.get(goal_header, "") if goal_header is not None else ""))

    def _no_indicator(self, row: Row, placed: dict[str, list[tuple[int, str]]],
                      values: dict[tuple[str, str, str], tuple[int, str]], unplaced: list[str]) -> None:
        """A row with no 三级 name: a unit's total in a table of several projects, or a row
        the header does not explain (a warning names it)."""
        texts = [(col, text) for cells in placed.values() for col, text in cells] + list(values.values())
        texts.sort()
        amounts = [(col, text) for col, text in texts if amount_tokens(text) is not None]
        words = [text for _, text in texts if amount_tokens(text) is None]
        if len(amounts) == 1 and len(words) == 1 and not unplaced and self.columns.col_of("project_amount") is not None:
            self.totals.append(TableTotal(words[0], amounts[0][1], row.line_no, amounts[0][0]))
            return
        shown = " / ".join(text for _, text in texts) or " / ".join(unplaced)
        self.warnings.append((row.line_no, "no_indicator_name", f"row with no 三级指标 name skipped: {shown[:60]}"))
