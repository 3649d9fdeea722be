"""Row types of the staging CSV contract, version 2 (docs/staging_contract.md).

Each dataclass's fields are exactly one CSV's columns, in order, so writing a CSV is
`dataclasses.astuple` and the contract lives in one place. Version 2 reads any template: the
values of an indicator and the amounts of a funding line are long tables (`IndicatorValue`,
`BudgetAmount`), one row per printed cell group, so a new column set needs no new CSV column;
every row says where it came from (`source_ref`: `L53`, `table 2 row 5 col 3`, `Sheet1!C12`,
`page 3 table 1 row 5 col 3`), and `source_line` is the text line (blank for other formats).

The rows are slotted dataclasses but not frozen: an extraction builds one per CSV row (a
1 000-form corpus, ~125 000), and a frozen dataclass's `__init__` sets each field through
`object.__setattr__`, ten times the cost of a plain one (an `Indicator`, 19 fields: 5 µs
against 0.5 µs). Nothing assigns to a row once it is built.
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(slots=True)
class Document:
    """One form: a file may hold several (004 holds twelve project forms)."""

    doc_id: str
    source_file: str
    source_sha256: str
    source_format: str
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
    line_start: int | None
    line_end: int | None
    ref_start: str
    extractor_version: str
    # Filled when the file lands (flows' incremental refresh), not by the extractor: when a
    # load first saw this content (UTC, ISO 8601) and the file's mtime then. Version order of
    # a unit's forms follows them, not file names.
    first_seen_at: str = ""
    source_mtime: str = ""


@dataclass(slots=True)
class Narrative:
    """A prose field of a form (unit functions, goals, report sections), HTML removed."""

    doc_id: str
    field: str
    label_raw: str
    text: str
    source_line: int | None
    source_ref: str


@dataclass(slots=True)
class BudgetLine:
    """One row of the funding block: its label and, where the template prints them, its
    execution rate, weight and score; its amounts are `BudgetAmount` rows."""

    doc_id: str
    line_seq: int
    direction: str
    label_raw: str
    parent_label_raw: str
    rate_raw: str
    weight_raw: str
    score_raw: str
    source_line: int | None
    source_ref: str


@dataclass(slots=True)
class BudgetAmount:
    """One amount cell of a funding line, exactly as printed (a blank cell stays blank, never
    0): one row per amount column the line's direction has in its template."""

    doc_id: str
    line_seq: int
    phase: str
    amount_raw: str
    amount_unit: str
    source_ref: str


@dataclass(slots=True)
class Indicator:
    """One indicator row with its merged 一级/二级 labels resolved and how each was filled.
    `level1_score_raw` / `level2_score_raw` are the points the labels announce as printed
    ('产出指标(70分)' → '70', '成本指标(0-20)分' → '0-20'; blank when none), so the warehouse can
    check a group's weights against them."""

    doc_id: str
    indicator_seq: int
    table_seq: int
    level1_raw: str
    level2_raw: str
    level3_raw: str
    key_work_raw: str
    linked_project_raw: str
    weight_raw: str
    direction_raw: str
    standard_raw: str
    score_raw: str
    deviation_raw: str
    level1_score_raw: str
    level2_score_raw: str
    level1_fill: str
    level2_fill: str
    source_line: int | None
    source_ref: str


@dataclass(slots=True)
class IndicatorValue:
    """One value cell group of an indicator row (blank included): a target or an actual for a
    period, as printed. `comparator_raw`/`number_raw`/`unit_raw` are set only where the form
    prints them in cells of their own (then `value_raw` is their texts joined)."""

    doc_id: str
    indicator_seq: int
    period: str
    kind: str
    value_raw: str
    comparator_raw: str
    number_raw: str
    unit_raw: str
    source_ref: str


@dataclass(slots=True)
class ReportFact:
    """A figure quoted in a self-evaluation report's prose, with the sentence it came from; or
    a self-evaluation table's printed total (`printed_total_weight`, `printed_total_score`),
    with the total row's text as its sentence."""

    doc_id: str
    fact_key: str
    value_raw: str
    unit_raw: str
    sentence: str
    source_line: int | None


@dataclass(slots=True)
class ExtractionIssue:
    """Something the extractor could not read (error) or read with doubts (warning)."""

    source_file: str
    doc_id: str
    severity: str
    code: str
    message: str
    source_line: int | None
    source_ref: str = ""


STAGING_TABLES: dict[str, type] = {
    "documents": Document,
    "narratives": Narrative,
    "budget_lines": BudgetLine,
    "budget_amounts": BudgetAmount,
    "indicators": Indicator,
    "indicator_values": IndicatorValue,
    "report_facts": ReportFact,
    "extraction_issues": ExtractionIssue,
}


def columns(record_type: type) -> list[str]:
    """The CSV header of a staging table, in contract order."""
    return [f.name for f in fields(record_type)]
