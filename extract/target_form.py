"""A target form (部门整体/项目预算绩效目标表) → header fields, narratives, budget lines and
indicator rows. Walks the rows once; each row is routed by what it holds (a header label, a
narrative label, the funding block, an indicator header), not by where it sits."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from extract.aligned_table import AlignedTableParser, legacy_header
from extract.cells import Row
from extract.column_roles import RoleVocabulary, load_vocabulary
from extract.form_labels import FormLabels, load_form_labels
from extract.forms import FormSlice
from extract.funding import FundingParser, ParsedLine
from extract.funding_pairs import FundingPairsParser
from extract.funding_table import FundingTableParser, funding_header, header_unit
from extract.indicator_table import IndicatorRow, IndicatorTableParser, PrintedTotal, is_header_row
from extract.role_table import Project, RoleTableParser, TableTotal, header_columns, is_lower_header
from extract.script_forms import matching_label
from extract.taxonomy import Taxonomy
from extract.text_clean import html_to_text

LAST_LEVEL1 = "满意度指标"
# a line naming the unit of every amount of the form ('金额单位:元', '单位：万元')
_AMOUNT_UNIT_LINE = re.compile(r"^(?:金额)?单位[:：](万元|元)$")


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
    projects: list[Project] = field(default_factory=list)  # a table listing several projects
    totals: list[TableTotal] = field(default_factory=list)  # unit totals printed in such a table
    printed_totals: list[PrintedTotal] = field(default_factory=list)  # 合计 rows closing an indicator table
    # a project's narratives in a table of several (its 年度目标 cell): (index into projects, narrative)
    project_narratives: list[tuple[int, NarrativeField]] = field(default_factory=list)
    warnings: list[tuple[int, str, str]] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)


def _read_header_fields(row: Row, header: dict[str, str], labels: FormLabels) -> None:
    """Label/value pairs on one row: the value is the next non-empty cell, unless that cell is
    itself a label (the field was left blank). A cell may hold both, `预算单位:东莞市交通运输局`
    (东莞's forms print the unit so, above the table's first row)."""
    filled = row.filled
    for index, (_, text) in enumerate(filled):
        name = labels.header_fields.get(matching_label(text))
        if not name:
            _read_label_colon_value(text, header, labels)
            continue
        following = filled[index + 1][1] if index + 1 < len(filled) else ""
        value = "" if matching_label(following) in labels.header_fields else following
        header.setdefault(name, value)


def _read_label_colon_value(text: str, header: dict[str, str], labels: FormLabels) -> bool:
    """A header field printed as `label:value` (or `label：value`) in one cell; True if read."""
    label, colon, value = text.replace("：", ":").partition(":")
    name = labels.header_fields.get(matching_label(label)) if colon else None
    if name and value.strip():
        header.setdefault(name, value.strip())
        return True
    return False


def _land_funding_sentence(row: Row, sentence: tuple[str, str, str, str], content: TargetFormContent) -> None:
    """A funding figure a self-evaluation states in its prose (宁德: 本项目累计安排资金10万元) as
    an income line of its own, its amount as printed in the unit the sentence names."""
    label, phase, amount, unit = sentence
    content.amount_unit = content.amount_unit or unit
    content.budget_lines.append(ParsedLine("income", label, "", "", "", row.line_no, amounts=[(phase, amount, 0)],
                                           amount_unit=unit))


def _open_pairs(row: Row, vocabulary: RoleVocabulary, content: TargetFormContent,
                fundings: list[FundingParser | FundingTableParser | FundingPairsParser]) -> FundingPairsParser | None:
    """A block of label/amount pairs opened by this row, or None."""
    parser = FundingPairsParser.opened_by(row, vocabulary)
    if parser is None:
        return None
    content.amount_unit = parser.unit or FundingParser.block_unit(row) or content.amount_unit or "万元"
    fundings.append(parser)
    return parser


def _table_parser(row: Row, following: Row | None, taxonomy: Taxonomy, vocabulary: RoleVocabulary,
                  table_seq: int, total_words: frozenset[str]) -> tuple[IndicatorTableParser, bool]:
    """The parser of the indicator table whose header starts at `row`, and whether the next row
    is the header's second row. The Jiangsu 半年/全年 header reads its aligned rows by role and the
    others by its content rules (extract/aligned_table.py)."""
    two_rows = following is not None and is_lower_header(following, vocabulary, taxonomy.is_label)
    columns = header_columns([row, following] if two_rows and following is not None else [row], vocabulary)
    header = legacy_header(columns)
    if not columns.needs_roles:
        return AlignedTableParser(taxonomy, header, table_seq=table_seq, total_words=total_words,
                                  columns=columns), False
    return RoleTableParser(taxonomy, header, table_seq=table_seq, total_words=total_words, columns=columns), two_rows


def read_target_form(form: FormSlice, taxonomy: Taxonomy, vocabulary: RoleVocabulary | None = None
                     ) -> TargetFormContent:
    vocabulary = vocabulary or load_vocabulary()
    labels = load_form_labels()
    content = TargetFormContent()
    fundings: list[FundingParser | FundingTableParser | FundingPairsParser] = []
    tables: list[IndicatorTableParser] = []
    funding: FundingParser | None = None
    funding_table: FundingTableParser | None = None
    pairs: FundingPairsParser | None = None
    table: IndicatorTableParser | None = None
    lower_header: Row | None = None  # a two-row header's second row, read with its first
    label_only: Row | None = None  # a header-field label printed alone, waiting for its value
    for index, row in enumerate(form.rows):
        filled = row.filled
        if not filled or row is lower_header:
            continue
        if is_header_row(row):
            following = next((r for r in form.rows[index + 1:] if r.filled), None)
            table, two_rows = _table_parser(row, following, taxonomy, vocabulary, len(tables) + 1, labels.total_rows)
            lower_header = following if two_rows else None
            tables.append(table)
            continue
        if len(filled) == 1 and (sentence := labels.funding_in_sentence(filled[0][1])) is not None:
            _land_funding_sentence(row, sentence, content)
            continue
        if table is not None:
            table.read(row)
            continue
        if funding_table is not None and funding_table.read(row):
            continue
        if pairs is not None and pairs.read(row):
            continue
        funding_table = pairs = None
        if label_only is not None and len(filled) != 1:
            label_only = None
        first = matching_label(filled[0][1])  # only rows before the indicator tables need it
        if len(filled) == 1 and (unit_line := _AMOUNT_UNIT_LINE.match(first)) is not None:
            content.amount_unit = unit_line.group(1)
        elif (roles := funding_header(row, vocabulary)) is not None:
            content.amount_unit = header_unit(row) or content.amount_unit or "万元"
            funding_table = FundingTableParser(roles)
            fundings.append(funding_table)
            funding = None
        elif first in labels.header_fields and len(filled) == 1:
            # one cell per line or paragraph: the field's value is the next row's only cell
            label_only = row
        elif label_only is not None and len(filled) == 1 and label_only.line_no < row.line_no:
            _read_header_fields(Row(label_only.line_no, (label_only.filled[0][1], filled[0][1]),
                                    ((0, label_only.filled[0][1]), (1, filled[0][1]))), content.header, labels)
            label_only = None
        elif first in labels.header_fields:
            _read_header_fields(row, content.header, labels)
            pairs = _open_pairs(row, vocabulary, content, fundings)
        elif (pairs := _open_pairs(row, vocabulary, content, fundings)) is not None:
            funding = None
        elif len(filled) == 1 and _read_label_colon_value(filled[0][1], content.header, labels):
            continue
        elif first in labels.narratives:
            col, text = filled[1] if len(filled) > 1 else (filled[0][0], "")
            content.narratives.append(
                NarrativeField(labels.narratives[first], filled[0][1], html_to_text(text), row.line_no, col))
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
        rows = parser.finish()
        if isinstance(parser, RoleTableParser):
            for row in rows:
                if row.project is not None:
                    row.project += len(content.projects)
            content.projects.extend(parser.projects)
            content.totals.extend(parser.totals)
        content.indicators.extend(rows)
        content.printed_totals.extend(parser.printed_totals)
        content.warnings.extend(parser.warnings)
    _project_narratives(content, labels)
    _check_complete(form, content, tables)
    return content


def _project_narratives(content: TargetFormContent, labels: FormLabels) -> None:
    """Each project's goal cell as a narrative of that project's form, under the field its
    column header names in the seed form_labels (年度目标 → annual_goal), as a form's own
    年度目标 row is."""
    for index, project in enumerate(content.projects):
        name = labels.narrative_of(project.goal_label) if project.goal_label else None
        if project.goal and name is not None:
            content.project_narratives.append((index, NarrativeField(
                name, project.goal_label, html_to_text(project.goal), project.position,
                project.goal_col if project.goal_col is not None else 0)))


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
