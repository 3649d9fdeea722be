"""One file's bytes → its staging rows and issues. Pure: no disk, so every step is testable.

Errors are values here: an unreadable file or a form that cannot be trusted comes back as
an `error` issue and no rows for that form; the edges (staging.py, the CLI, the flow) decide
to quarantine the file. Forms that parse with doubts land with `warning` issues.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from extract import EXTRACTOR_VERSION
from extract.cells import to_rows
from extract.decode import DecodedText, UnreadableDocument, decode_document
from extract.forms import DEPT_SELF_EVAL, FormSlice, classify, fiscal_year, region_from_title, split_forms
from extract.records import BudgetLine, Document, ExtractionIssue, Indicator, Narrative, ReportFact
from extract.report_facts import read_report_facts
from extract.report_sections import read_sections
from extract.target_form import read_target_form
from extract.taxonomy import Taxonomy, load_taxonomy

ERROR, WARNING = "error", "warning"


@dataclass(slots=True)
class FileExtraction:
    """Everything one file contributed to staging."""

    source_file: str
    source_sha256: str
    content_id: str = ""
    documents: list[Document] = field(default_factory=list)
    narratives: list[Narrative] = field(default_factory=list)
    budget_lines: list[BudgetLine] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    report_facts: list[ReportFact] = field(default_factory=list)
    issues: list[ExtractionIssue] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(issue.severity == ERROR for issue in self.issues)


_TRAILING_SPACE = re.compile(r"[ \t\u3000\u00a0\ufeff]+(?=\n)")


def canonical_text(text: str) -> str:
    """The text a document's identity is taken from: trailing whitespace of each line and
    trailing blank lines removed, one final newline. Re-saving a form with a blank line or a
    space more at the end is not a new version of it."""
    return _TRAILING_SPACE.sub("", text).rstrip() + "\n"


def content_id(text: str) -> str:
    """Hash of the decoded, newline-normalised, canonical text: the same document gives the
    same ids whether it was published as UTF-8, GB18030, with a BOM, with CRLF line ends or
    with trailing blanks."""
    return hashlib.sha256(canonical_text(text).encode("utf-8")).hexdigest()


def _content_id_of(data: bytes, decoded: DecodedText, data_sha256: str) -> str:
    """`content_id(decoded.text)`, without encoding and hashing the text again when it is the
    bytes as they were: plain UTF-8 (no BOM), no CR to normalise, already canonical."""
    canonical = canonical_text(decoded.text)
    if (decoded.encoding == "utf-8" and b"\r" not in data and not decoded.warnings
            and len(canonical) == len(decoded.text)):
        return data_sha256
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def make_doc_id(text_hash: str, part_seq: int) -> str:
    return hashlib.sha256(f"{text_hash}:{part_seq}".encode()).hexdigest()[:16]


def extract_file(source_file: str, data: bytes, taxonomy: Taxonomy | None = None) -> FileExtraction:
    taxonomy = taxonomy or load_taxonomy()
    result = FileExtraction(source_file=source_file, source_sha256=hashlib.sha256(data).hexdigest())
    try:
        decoded = decode_document(data)
    except UnreadableDocument as err:
        result.issues.append(ExtractionIssue(source_file, "", ERROR, err.code, str(err), err.line))
        return result
    result.content_id = _content_id_of(data, decoded, result.source_sha256)
    forms = split_forms(to_rows(decoded.text))
    _decode_issues(result, decoded, forms)
    for form in forms:
        _extract_form(result, form, taxonomy)
    return result


def _decode_issues(result: FileExtraction, decoded: DecodedText, forms: list[FormSlice]) -> None:
    """The lines the decoder had to change (control characters stripped) as warnings, each on
    the form that holds the line (the file's, with no doc_id, outside every form)."""
    for line, code, message in decoded.warnings:
        form = next((f for f in forms if f.line_start <= line <= f.line_end), None)
        doc_id = make_doc_id(result.content_id, form.part_seq) if form is not None else ""
        _issue(result, doc_id, WARNING, line, code, message)


def _issue(result: FileExtraction, doc_id: str, severity: str, line: int | None, code: str, message: str) -> None:
    result.issues.append(ExtractionIssue(result.source_file, doc_id, severity, code, message, line))


def _extract_form(result: FileExtraction, form: FormSlice, taxonomy: Taxonomy) -> None:
    doc_id = make_doc_id(result.content_id, form.part_seq)
    doc_type = classify(form)
    if doc_type is None:
        _issue(result, doc_id, ERROR, form.line_start, "unknown_form",
               "no known form: neither a 绩效目标表 nor a 自评价报告 title, nor their header labels")
        return
    if doc_type == DEPT_SELF_EVAL:
        _extract_report(result, form, doc_id)
        return
    content = read_target_form(form, taxonomy)
    for line, code, message in content.errors:
        _issue(result, doc_id, ERROR, line, code, message)
    if content.errors:
        return
    for line, code, message in content.warnings:
        _issue(result, doc_id, WARNING, line, code, message)
    header = content.header
    result.documents.append(Document(
        doc_id=doc_id, source_file=result.source_file, source_sha256=result.source_sha256,
        part_seq=form.part_seq, doc_type=doc_type, title=form.title, fiscal_year=fiscal_year(form),
        region_raw=region_from_title(form.title),
        unit_name=header.get("unit_name") or header.get("implementing_unit") or header.get("supervising_dept", ""),
        supervising_dept=header.get("supervising_dept", ""), implementing_unit=header.get("implementing_unit", ""),
        project_name=header.get("project_name", ""), project_type=header.get("project_type", ""),
        project_level=header.get("project_level", ""), start_raw=header.get("start_raw", ""),
        end_raw=header.get("end_raw", ""), contact_raw=header.get("contact_raw", ""),
        amount_unit=content.amount_unit, line_start=form.line_start, line_end=form.line_end,
        extractor_version=EXTRACTOR_VERSION,
    ))
    result.narratives.extend(
        Narrative(doc_id, n.field, n.label_raw, n.text, n.source_line) for n in content.narratives)
    result.budget_lines.extend(
        BudgetLine(doc_id, seq, b.direction, b.label_raw, b.parent_label_raw, b.half_year_raw, b.full_year_raw,
                   b.source_line)
        for seq, b in enumerate(content.budget_lines, start=1))
    result.indicators.extend(
        Indicator(doc_id, seq, i.table_seq, i.level1_raw, i.level2_raw, i.level3_raw, i.key_work_raw,
                  i.linked_project_raw, i.half_year_raw, i.full_year_raw, i.level1_fill, i.level2_fill,
                  i.source_line)
        for seq, i in enumerate(content.indicators, start=1))


def _extract_report(result: FileExtraction, form: FormSlice, doc_id: str) -> None:
    title_words = form.title.split()
    unit_name = title_words[0] if len(title_words) > 1 else ""
    sections = read_sections(form.rows)
    if not sections:
        _issue(result, doc_id, WARNING, form.line_start, "no_sections",
               "self-evaluation report with no numbered section headings (一、… 六、)")
    result.documents.append(Document(
        doc_id=doc_id, source_file=result.source_file, source_sha256=result.source_sha256,
        part_seq=form.part_seq, doc_type=DEPT_SELF_EVAL, title=form.title, fiscal_year=fiscal_year(form),
        region_raw="", unit_name=unit_name, supervising_dept="", implementing_unit="", project_name="",
        project_type="", project_level="", start_raw="", end_raw="", contact_raw="", amount_unit="万元",
        line_start=form.line_start, line_end=form.line_end, extractor_version=EXTRACTOR_VERSION,
    ))
    result.narratives.extend(
        Narrative(doc_id, s.field, s.label_raw, s.text, s.source_line) for s in sections)
    result.report_facts.extend(
        ReportFact(doc_id, f.fact_key, f.value_raw, f.unit_raw, f.sentence, f.source_line)
        for f in read_report_facts(form.rows))
