"""One file's bytes → its staging rows and issues. Pure: no disk, so every step is testable.

The file is read by the reader of its format (extract/readers) into one document model, which
becomes the rows the layout code walks (extract/document_rows.py); from there on nothing asks
which format it was. Errors are values here: an unreadable file or a form that cannot be
trusted comes back as an `error` issue and no rows for that form; the edges (the flows) decide
to quarantine the file. Forms that parse with doubts land with `warning` issues.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from extract import EXTRACTOR_VERSION
from extract.cells import Row
from extract.document_rows import rows_of
from extract.forms import (
    DEPT_SELF_EVAL,
    FormSlice,
    classify,
    fiscal_year,
    is_report,
    region_from_title,
    split_forms,
)
from extract.funding import ParsedLine
from extract.indicator_table import IndicatorRow
from extract.readers import ReaderError, read_document
from extract.readers.model import Document as ReadDocument
from extract.records import (
    BudgetAmount,
    BudgetLine,
    Document,
    ExtractionIssue,
    Indicator,
    IndicatorValue,
    Narrative,
    ReportFact,
)
from extract.report_facts import read_report_facts
from extract.report_sections import read_sections
from extract.target_form import TargetFormContent, read_target_form
from extract.taxonomy import Taxonomy, load_taxonomy, score_annotation

ERROR, WARNING = "error", "warning"


@dataclass(slots=True)
class FileExtraction:
    """Everything one file contributed to staging."""

    source_file: str
    source_sha256: str
    content_id: str = ""
    source_format: str = ""
    documents: list[Document] = field(default_factory=list)
    narratives: list[Narrative] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    budget_amounts: list[BudgetAmount] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    indicator_values: list[IndicatorValue] = field(default_factory=list)
    report_facts: list[ReportFact] = field(default_factory=list)
    issues: list[ExtractionIssue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == ERROR for issue in self.issues)


# staging contract's source_format for each reader's format name
SOURCE_FORMATS = {"text": "txt", "html": "html", "xlsx": "xlsx", "xls": "xls", "docx": "docx", "pdf": "pdf",
                  "tablegrid": "json"}
_LINE_REF = re.compile(r"L(\d+)")
EXPENDITURE = "expenditure"
HALF_YEAR_PLAN, ANNUAL_BUDGET = "half_year_plan", "annual_budget"
HALF_YEAR, FULL_YEAR, TARGET = "half_year", "full_year", "target"
PRINTED_TOTAL_WEIGHT, PRINTED_TOTAL_SCORE = "printed_total_weight", "printed_total_score"


def content_id(rows: list[Row]) -> str:
    """Hash of the document's cell texts, row by row (blank rows and trailing blank cells
    left out): the same form gives the same ids whether it was saved as UTF-8, GB18030, with a
    BOM, CRLF line ends, trailing blanks, or re-saved by its program with other metadata.
    The lines are joined and encoded once and hashed in one call (the same bytes as one
    update per row, a third of the time)."""
    lines = ["\t".join(row.cells[: row.filled[-1][0] + 1]) for row in rows if row.filled]
    if lines:
        lines.append("")  # every line ends in "\n"
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def make_doc_id(text_hash: str, part_seq: int) -> str:
    return hashlib.sha256(f"{text_hash}:{part_seq}".encode()).hexdigest()[:16]


@dataclass(slots=True)
class _FormRows:
    """Where the layout code's row positions (`Row.line_no`) lead back to in the file.

    Every staging row asks for its cell's locator, an indicator row once per value: a row
    without refs of its own (a text line) has one locator for all its cells, `L<line>`,
    which is made once per row here rather than formatted again for each cell."""

    by_position: dict[int, Row]
    line_refs: dict[int, str] = field(default_factory=dict)  # position → the locator of a row without refs

    def line(self, position: int | None) -> int | None:
        row = self.by_position.get(position) if position is not None else None
        return row.source_line if row is not None else None

    def ref(self, position: int | None, col: int | None = None) -> str:
        ref = self.line_refs.get(position)  # type: ignore[arg-type]
        if ref is not None:
            return ref
        row = self.by_position.get(position) if position is not None else None
        if row is None:
            return ""
        if row.refs:
            return row.ref(col)
        ref = self.line_refs[row.line_no] = row.ref()
        return ref


def extract_file(source_file: str, data: bytes, taxonomy: Taxonomy | None = None) -> FileExtraction:
    source_sha256 = hashlib.sha256(data).hexdigest()
    try:
        document = read_document(source_file, data)
    except ReaderError as err:
        result = FileExtraction(source_file=source_file, source_sha256=source_sha256)
        result.issues.append(ExtractionIssue(source_file, "", ERROR, err.code, err.message, err.line, err.ref or ""))
        return result
    return extract_document(source_file, source_sha256, document, taxonomy)


def extract_document(source_file: str, source_sha256: str, document: ReadDocument,
                     taxonomy: Taxonomy | None = None) -> FileExtraction:
    """The forms of a document already read into the readers' model: everything after the
    readers works on the model only (a table built by `table_from_grid` from a PDF's cell grid
    goes through here exactly as one the PDF reader built)."""
    taxonomy = taxonomy or load_taxonomy()
    result = FileExtraction(source_file=source_file, source_sha256=source_sha256)
    result.source_format = SOURCE_FORMATS[document.format]
    rows = rows_of(document)
    located = _FormRows({row.line_no: row for row in rows})
    result.content_id = content_id(rows)
    forms = split_forms(rows) if rows else []
    _reader_issues(result, document, forms)
    for form in forms:
        _extract_form(result, form, taxonomy, located)
    return result


def _reader_issues(result: FileExtraction, document: ReadDocument, forms: list[FormSlice]) -> None:
    """What the reader changed or doubted (control characters stripped …) as warnings, each on
    the form that holds its line (the file's, with no doc_id, where no form does)."""
    for warning in document.warnings:
        match = _LINE_REF.fullmatch(warning.ref)
        line = int(match.group(1)) if match else None
        form = next((f for f in forms if line is not None and f.line_start <= line <= f.line_end), None)
        doc_id = make_doc_id(result.content_id, form.part_seq) if form is not None else ""
        result.issues.append(ExtractionIssue(result.source_file, doc_id, WARNING, warning.code, warning.message,
                                             line, warning.ref))


def _issue(result: FileExtraction, doc_id: str, severity: str, position: int | None, code: str, message: str,
           located: _FormRows) -> None:
    result.issues.append(ExtractionIssue(result.source_file, doc_id, severity, code, message,
                                         located.line(position), located.ref(position)))


def _document(result: FileExtraction, form: FormSlice, doc_id: str, doc_type: str, part_seq: int | None = None,
              **fields: str) -> Document:
    first, last = form.first_row, form.last_row
    values = dict.fromkeys(("region_raw", "unit_name", "supervising_dept", "implementing_unit", "project_name",
                            "project_type", "project_level", "start_raw", "end_raw", "contact_raw"), "")
    values.update(fields)
    return Document(
        doc_id=doc_id, source_file=result.source_file, source_sha256=result.source_sha256,
        source_format=result.source_format, part_seq=part_seq or form.part_seq, doc_type=doc_type, title=form.title,
        fiscal_year=fiscal_year(form), line_start=first.source_line, line_end=last.source_line,
        ref_start=first.ref(), extractor_version=EXTRACTOR_VERSION, **values)


def _extract_form(result: FileExtraction, form: FormSlice, taxonomy: Taxonomy, located: _FormRows) -> None:
    doc_id = make_doc_id(result.content_id, form.part_seq)
    doc_type = classify(form)
    if doc_type is None:
        _issue(result, doc_id, ERROR, form.line_start, "unknown_form",
               "no known form: neither a 绩效目标表 nor a 自评价报告 title, nor their header labels", located)
        return
    if not fiscal_year(form):
        _issue(result, doc_id, WARNING, form.line_start, "missing_fiscal_year",
               "the form states no year (none in its title, no 2026年度 line under it): it lands with no "
               "fiscal year", located)
    if doc_type == DEPT_SELF_EVAL and is_report(form):
        _extract_report(result, form, doc_id, located)
        return
    content = read_target_form(form, taxonomy)
    for position, code, message in content.errors:
        _issue(result, doc_id, ERROR, position, code, message, located)
    if content.errors:
        return
    for position, code, message in content.warnings:
        _issue(result, doc_id, WARNING, position, code, message, located)
    _land_form(result, form, doc_id, doc_type, content, content.header, located,
               [row for row in content.indicators if row.project is None], content.budget_lines)
    unit_name = content.header.get("unit_name", "")
    for index, project in enumerate(content.projects, start=1):
        # one form per project of a several-projects table: part_seq 1000 × the table form's + the project's;
        # a project row that leaves 单位名称 blank (a merged cell) belongs to the unit above it
        part_seq = 1000 * form.part_seq + index
        unit_name = project.unit_name or unit_name
        header = {**content.header, "project_name": project.project_name, "unit_name": unit_name}
        line = ParsedLine(EXPENDITURE, project.project_name, "", "", "", project.position,
                          amounts=[(ANNUAL_BUDGET, project.amount_raw, project.amount_col)])
        project_doc_id = make_doc_id(result.content_id, part_seq)
        _land_form(result, form, project_doc_id, doc_type, content, header, located,
                   [row for row in content.indicators if row.project == index - 1],
                   [line] if project.amount_raw else [], part_seq=part_seq, narratives=False)
        result.narratives.extend(
            Narrative(project_doc_id, n.field, n.label_raw, n.text, located.line(n.position),
                      located.ref(n.position, n.col))
            for project_index, n in content.project_narratives if project_index == index - 1)


def _land_form(result: FileExtraction, form: FormSlice, doc_id: str, doc_type: str, content: TargetFormContent,
               header: dict[str, str], located: _FormRows, indicators: list[IndicatorRow],
               budget_lines: list[ParsedLine], part_seq: int | None = None, narratives: bool = True) -> None:
    """One document's rows: the form itself, or one project of a table listing several."""
    result.documents.append(_document(
        result, form, doc_id, doc_type, part_seq=part_seq, region_raw=region_from_title(form.title),
        unit_name=header.get("unit_name") or header.get("implementing_unit") or header.get("supervising_dept", ""),
        supervising_dept=header.get("supervising_dept", ""), implementing_unit=header.get("implementing_unit", ""),
        project_name=header.get("project_name", ""), project_type=header.get("project_type", ""),
        project_level=header.get("project_level", ""), start_raw=header.get("start_raw", ""),
        end_raw=header.get("end_raw", ""), contact_raw=header.get("contact_raw", ""),
        amount_unit=content.amount_unit))
    if not result.documents[-1].unit_name:
        _issue(result, doc_id, WARNING, form.line_start, "missing_unit_name",
               "the form names no unit (no 单位名称, 实施单位 or 主管部门 value): it lands under no unit name",
               located)
    if narratives:
        result.narratives.extend(
            Narrative(doc_id, n.field, n.label_raw, n.text, located.line(n.position), located.ref(n.position, n.col))
            for n in content.narratives)
        budget_lines = budget_lines + [
            ParsedLine(EXPENDITURE, total.label_raw, "", "", "", total.position,
                       amounts=[(ANNUAL_BUDGET, total.amount_raw, total.amount_col)])
            for total in content.totals]
    for seq, line in enumerate(budget_lines, start=1):
        _land_budget_line(result, doc_id, seq, line, content.amount_unit, located)
    for seq, row in enumerate(indicators, start=1):
        _land_indicator(result, doc_id, seq, row, located)
    if narratives:
        _land_printed_totals(result, doc_id, content, located)


def _land_printed_totals(result: FileExtraction, doc_id: str, content: TargetFormContent, located: _FormRows) -> None:
    """Each printed total of the form's tables as report facts (a second table's total is
    `printed_total_weight#2`, as report facts number a repeated key), so the warehouse can
    check that the rows' weights and scores add up to what the form printed."""
    seen: dict[str, int] = {}
    for total in content.printed_totals:
        for key, value in ((PRINTED_TOTAL_WEIGHT, total.weight_raw), (PRINTED_TOTAL_SCORE, total.score_raw)):
            if not value:
                continue
            seen[key] = seen.get(key, 0) + 1
            fact_key = key if seen[key] == 1 else f"{key}#{seen[key]}"
            result.report_facts.append(ReportFact(doc_id, fact_key, value, "", total.text,
                                                  located.line(total.position)))


def _land_budget_line(result: FileExtraction, doc_id: str, seq: int, line: ParsedLine, amount_unit: str,
                      located: _FormRows) -> None:
    result.budget_lines.append(BudgetLine(
        doc_id, seq, line.direction, line.label_raw, line.parent_label_raw, line.rate_raw, line.weight_raw,
        line.score_raw, located.line(line.position), located.ref(line.position)))
    if line.amounts is not None:
        result.budget_amounts.extend(
            BudgetAmount(doc_id, seq, phase, text, line.amount_unit or amount_unit, located.ref(line.position, col))
            for phase, text, col in line.amounts)
        return
    if line.direction == EXPENDITURE or line.half_year_raw:
        result.budget_amounts.append(BudgetAmount(
            doc_id, seq, HALF_YEAR_PLAN, line.half_year_raw, amount_unit, located.ref(line.position, line.half_col)))
    result.budget_amounts.append(BudgetAmount(
        doc_id, seq, ANNUAL_BUDGET, line.full_year_raw, amount_unit, located.ref(line.position, line.full_col)))


def _land_indicator(result: FileExtraction, doc_id: str, seq: int, row: IndicatorRow, located: _FormRows) -> None:
    extras = row.extras
    result.indicators.append(Indicator(
        doc_id, seq, row.table_seq, row.level1_raw, row.level2_raw, row.level3_raw, row.key_work_raw,
        row.linked_project_raw, extras.get("weight", ""), extras.get("direction", ""), extras.get("standard", ""),
        extras.get("score", ""), extras.get("deviation", ""), score_annotation(row.level1_raw),
        score_annotation(row.level2_raw), row.level1_fill, row.level2_fill,
        located.line(row.position), located.ref(row.position, row.level3_col)))
    if row.values is not None:
        result.indicator_values.extend(
            IndicatorValue(doc_id, seq, v.period, v.kind, v.value_raw, v.comparator_raw, v.number_raw, v.unit_raw,
                           located.ref(row.position, v.col))
            for v in row.values)
        return
    result.indicator_values.append(IndicatorValue(
        doc_id, seq, HALF_YEAR, TARGET, row.half_year_raw, "", "", "", located.ref(row.position, row.half_col)))
    result.indicator_values.append(IndicatorValue(
        doc_id, seq, FULL_YEAR, TARGET, row.full_year_raw, "", "", "", located.ref(row.position, row.full_col)))


def _extract_report(result: FileExtraction, form: FormSlice, doc_id: str, located: _FormRows) -> None:
    title_words = form.title.split()
    unit_name = title_words[0] if len(title_words) > 1 else ""
    sections = read_sections(form.rows)
    if not sections:
        _issue(result, doc_id, WARNING, form.line_start, "no_sections",
               "self-evaluation report with no numbered section headings (一、… 六、)", located)
    result.documents.append(_document(result, form, doc_id, DEPT_SELF_EVAL, unit_name=unit_name, amount_unit="万元"))
    result.narratives.extend(
        Narrative(doc_id, s.field, s.label_raw, s.text, located.line(s.source_line), located.ref(s.source_line))
        for s in sections)
    result.report_facts.extend(
        ReportFact(doc_id, f.fact_key, f.value_raw, f.unit_raw, f.sentence, located.line(f.source_line))
        for f in read_report_facts(form.rows))
