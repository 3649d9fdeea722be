"""Row types of the staging CSV contract (DESIGN.md §3).

Each dataclass's fields are exactly one CSV's columns, in order, so writing a CSV is
`dataclasses.astuple` and the contract lives in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True, slots=True)
class Document:
    """One form: a file may hold several (004 holds twelve project forms)."""

    doc_id: str
    source_file: str
    source_sha256: str
    part_seq: int
    doc_type: str
    title: str
    fiscal_year: str
    region_raw: str
    unit_name: str
    supervising_dept: str
    implementing_unit: str
    project_name: str
    project_type: str
    project_level: str
    start_raw: str
    end_raw: str
    contact_raw: str
    amount_unit: str
    line_start: int
    line_end: int
    extractor_version: str
    # Filled when the file lands (flows' incremental refresh), not by the extractor: when a
    # load first saw this content (UTC, ISO 8601) and the file's mtime then. Version order of
    # a unit's forms follows them, not file names.
    first_seen_at: str = ""
    source_mtime: str = ""


@dataclass(frozen=True, slots=True)
class Narrative:
    """A prose field of a form (unit functions, goals, report sections), HTML removed."""

    doc_id: str
    field: str
    label_raw: str
    text: str
    source_line: int


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """One row of the funding block; amounts exactly as printed (blank stays blank)."""

    doc_id: str
    line_seq: int
    direction: str
    label_raw: str
    parent_label_raw: str
    half_year_raw: str
    full_year_raw: str
    source_line: int


@dataclass(frozen=True, slots=True)
class Indicator:
    """One indicator row with its merged 一级/二级 labels resolved and how each was filled."""

    doc_id: str
    indicator_seq: int
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
    source_line: int


@dataclass(frozen=True, slots=True)
class ReportFact:
    """A figure quoted in a self-evaluation report's prose, with the sentence it came from."""

    doc_id: str
    fact_key: str
    value_raw: str
    unit_raw: str
    sentence: str
    source_line: int


@dataclass(frozen=True, slots=True)
class ExtractionIssue:
    """Something the extractor could not read (error) or read with doubts (warning)."""

    source_file: str
    doc_id: str
    severity: str
    code: str
    message: str
    source_line: int | None


STAGING_TABLES: dict[str, type] = {
    "documents": Document,
    "narratives": Narrative,
    "budget_lines": BudgetLine,
    "indicators": Indicator,
    "report_facts": ReportFact,
    "extraction_issues": ExtractionIssue,
}


def columns(record_type: type) -> list[str]:
    """The CSV header of a staging table, in contract order."""
    return [f.name for f in fields(record_type)]
