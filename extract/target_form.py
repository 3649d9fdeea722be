"""A target form (部门整体/项目预算绩效目标表) → header fields, narratives, budget lines and
indicator rows. Walks the rows once; each row is routed by what it holds (a header label, a
narrative label, the funding block, an indicator header), not by where it sits."""

from __future__ import annotations

from dataclasses import dataclass, field

from extract.cells import Row, squash
from extract.forms import FormSlice
from extract.funding import FundingParser, ParsedLine
from extract.indicator_table import IndicatorRow, IndicatorTableParser, TableHeader, is_header_row
from extract.taxonomy import Taxonomy
from extract.text_clean import html_to_text

HEADER_FIELDS = {
    "单位名称": "unit_name",
    "项目名称": "project_name",
    "主管部门": "supervising_dept",
    "项目类型": "project_type",
    "项目级次": "project_level",
    "开始时间": "start_raw",
    "完成时间": "end_raw",
    "实施单位": "implementing_unit",
    "项目负责人/联系电话": "contact_raw",
    "项目负责人": "contact_raw",
    "联系电话": "contact_raw",
}

NARRATIVE_FIELDS = {
    "单位主要职能": "unit_functions",
    "部门主要职能": "unit_functions",
    "机构设置及人员配置": "org_setup",
    "立项必要性": "necessity",
    "实施可行性": "feasibility",
    "项目实施内容": "content",
    "中长期目标": "long_term_goal",
    "年度目标": "annual_goal",
}

LAST_LEVEL1 = "满意度指标"


@dataclass(slots=True)
class NarrativeField:
    field: str
    label_raw: str
    text: str
    position: int  # the row's `Row.line_no`
    col: int  # the column of the text's cell


@dataclass(slots=True)
class TargetFormContent:
    header: dict[str, str] = field(default_factory=dict)
    amount_unit: str = ""
    narratives: list[NarrativeField] = field(default_factory=list)
    budget_lines: list[ParsedLine] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _read_header_fields(row: Row, header: dict[str, str]) -> None:
    """Label/value pairs on one row: the value is the next non-empty cell, unless that cell is
    itself a label (the field was left blank)."""
    filled = row.filled
    for index, (_, text) in enumerate(filled):
        name = HEADER_FIELDS.get(squash(text))
        if not name:
            continue
        following = filled[index + 1][1] if index + 1 < len(filled) else ""
        value = "" if squash(following) in HEADER_FIELDS else following
        header.setdefault(name, value)


def read_target_form(form: FormSlice, taxonomy: Taxonomy) -> TargetFormContent:
    content = TargetFormContent()
    fundings: list[FundingParser] = []
    tables: list[IndicatorTableParser] = []
    funding: FundingParser | None = None
    table: IndicatorTableParser | None = None
    for row in form.rows:
        filled = row.filled
        if not filled:
            continue
        if is_header_row(row):
            table = IndicatorTableParser(taxonomy, TableHeader.from_row(row), table_seq=len(tables) + 1)
            tables.append(table)
            continue
        if table is not None:
            table.read(row)
            continue
        first = squash(filled[0][1])  # only rows before the indicator tables need it
        if first in HEADER_FIELDS:
            _read_header_fields(row, content.header)
        elif first in NARRATIVE_FIELDS:
            col, text = filled[1] if len(filled) > 1 else (filled[0][0], "")
            content.narratives.append(
                NarrativeField(NARRATIVE_FIELDS[first], filled[0][1], html_to_text(text), row.line_no, col))
            funding = None
        elif (unit := FundingParser.block_unit(row)) is not None:
            content.amount_unit = unit
            funding = FundingParser()
            fundings.append(funding)
            funding.read(row)
        elif funding is not None:
            funding.read(row)
        elif content.header and row.line_no != form.title_line:
            content.warnings.append((row.line_no, "unrecognised_row",
                                     f"row outside any known section: '{filled[0][1][:40]}'"))
    for parser in fundings:
        content.budget_lines.extend(parser.lines)
        content.warnings.extend(parser.warnings)
    for parser in tables:
        content.indicators.extend(parser.finish())
        content.warnings.extend(parser.warnings)
    _check_complete(form, content, tables)
    return content


def _check_complete(form: FormSlice, content: TargetFormContent, tables: list[IndicatorTableParser]) -> None:
    """A Jiangsu form closes with the 满意度指标 group, but other templates order their
    groups otherwise and real pages are cut: a table that stops elsewhere is a doubt (a
    warning naming the last row), not a reason to lose its rows. Only a form with neither an
    indicator table nor a funding block is an error: there is nothing to trust in it."""
    if not tables:
        if content.budget_lines:
            content.warnings.append((form.line_end, "no_indicator_table",
                                     "form has a funding block but no indicator table (一级指标 header)"))
            return
        content.errors.append((form.line_end, "truncated_form",
                               "target form has no indicator table (一级指标 header): cut off or incomplete"))
        return
    if tables[-1].level1.canonical != LAST_LEVEL1:
        content.warnings.append((form.line_end, "truncated_table",
                               f"indicator table stops at line {form.line_end} before the {LAST_LEVEL1} group: "
                               "the form was cut off mid-table"))
