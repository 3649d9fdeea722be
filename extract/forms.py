"""A file → its forms. A file may concatenate several forms (004 holds twelve project forms);
each starts at its title line. Each form is classified by its title, then by its content."""

from __future__ import annotations

import re
from dataclasses import dataclass

from extract.cells import Row, squash
from extract.form_labels import REPORT, SELF_EVAL_TABLE, load_form_labels
from extract.script_forms import matching_form

DEPT_TARGET = "dept_target"
PROJECT_TARGET = "project_target"
DEPT_SELF_EVAL = "dept_self_eval"
PROJECT_SELF_EVAL = "project_self_eval"
_INDICATOR_HEADER = "一级指标"
_ACTUAL_WORDS = ("完成值", "实际完成", "得分")
_YEAR_LINE = re.compile(r"^\(?(\d{4})年度?\)?$")
_YEAR_IN_TEXT = re.compile(r"(\d{4})年度")
_MAX_TITLE_CHARS = 80


@dataclass(frozen=True, slots=True)
class FormSlice:
    """The rows of one form, with its title and where it sits in the file."""

    part_seq: int
    title: str
    title_line: int | None
    rows: tuple[Row, ...]

    @property
    def first_row(self) -> Row:
        return next((r for r in self.rows if not r.is_blank), self.rows[0])

    @property
    def last_row(self) -> Row:
        return next((r for r in reversed(self.rows) if not r.is_blank), self.rows[-1])

    @property
    def line_start(self) -> int:
        """Position (`Row.line_no`) of the form's first row."""
        return self.first_row.line_no

    @property
    def line_end(self) -> int:
        """Position (`Row.line_no`) of the form's last row."""
        return self.last_row.line_no


def single_text(row: Row) -> str | None:
    """The text of a row that holds exactly one non-empty cell, else None."""
    filled = row.filled
    return filled[0][1] if len(filled) == 1 else None


def is_title(row: Row) -> bool:
    text = single_text(row)
    # every title word ends in 表 or 告, which squash keeps: most rows are ruled out before squash
    return (bool(text) and len(text) <= _MAX_TITLE_CHARS and ("表" in text or "告" in text)
            and load_form_labels().title_kind(text) is not None)


def is_report(form: FormSlice) -> bool:
    """A self-evaluation report in prose (自评价报告), not a table."""
    return bool(form.title) and load_form_labels().title_kind(form.title.split()[-1]) == REPORT


def split_forms(rows: list[Row]) -> list[FormSlice]:
    """Cut the file at each title line. Lines before the first title belong to the first form
    (002 prints its unit name above a split title), unless they hold an indicator table: then
    they are the end of a form whose title was cut off (a page saved mid-document), a form of
    their own. A file with no title is one form."""
    title_indexes = [i for i, row in enumerate(rows) if is_title(row)]
    if not title_indexes:
        return [FormSlice(part_seq=1, title="", title_line=None, rows=tuple(rows))]
    forms = []
    first = title_indexes[0]
    if any(_is_indicator_header(row) for row in rows[:first]):
        forms.append(FormSlice(1, "", None, tuple(rows[:first])))
        starts = list(title_indexes)
    else:
        starts = [0, *title_indexes[1:]]
    ends = [*title_indexes[1:], len(rows)]
    for seq, (start, end, title_index) in enumerate(zip(starts, ends, title_indexes, strict=True),
                                                    start=len(forms) + 1):
        title_row = rows[title_index]
        preamble = [single_text(r) for r in rows[start:title_index] if not r.is_blank]
        title = single_text(title_row) or ""
        if len(preamble) == 1 and preamble[0] and preamble[0] not in title:
            title = f"{preamble[0]} {title}"
        forms.append(FormSlice(seq, title, title_row.line_no, tuple(rows[start:end])))
    return forms


def _is_indicator_header(row: Row) -> bool:
    return any(squash(text) == _INDICATOR_HEADER for _, text in row.filled)


def classify(form: FormSlice) -> str | None:
    """doc_type from the title words; without a title, from the header labels the body uses."""
    title = matching_form(squash(form.title))
    kind = load_form_labels().title_kind(form.title.split()[-1]) if form.title else None
    if kind == REPORT:
        return DEPT_SELF_EVAL
    if kind == SELF_EVAL_TABLE:
        return PROJECT_SELF_EVAL if "项目" in title and "部门整体" not in title else DEPT_SELF_EVAL
    if kind is not None:
        if "项目" in title and "部门整体" not in title:
            return PROJECT_TARGET
        if "部门" in title or "单位" in title:
            return DEPT_TARGET
    labels = {squash(text) for row in form.rows for _, text in row.filled[:1]}
    if "项目名称" in labels:
        return PROJECT_TARGET
    if "单位名称" in labels:
        return DEPT_TARGET
    return _classify_by_table(form)


def _classify_by_table(form: FormSlice) -> str | None:
    """An untitled piece (a page cut before its title) with an indicator table is a project
    form: a self-evaluation when its header names actual values or scores."""
    for row in form.rows:
        joined = "".join(text for _, text in row.filled)
        if _INDICATOR_HEADER in squash(joined):
            return PROJECT_SELF_EVAL if any(word in joined for word in _ACTUAL_WORDS) else PROJECT_TARGET
    return None


def fiscal_year(form: FormSlice) -> str:
    """The year of '2026年度' printed under the title, else the year in the title."""
    match = _YEAR_IN_TEXT.search(squash(form.title))
    if match:
        return match.group(1)
    for row in form.rows[:12]:
        text = single_text(row)
        if text:
            year_line = _YEAR_LINE.match(squash(text))
            if year_line:
                return year_line.group(1)
    return ""


_REGION_END = re.compile(r"(部门整体|预算部门|部门|项目|单位整体)")


def region_from_title(title: str) -> str:
    """The issuer words a target-form title starts with ('江北新区', '南通市本级', '区级')."""
    text = _YEAR_IN_TEXT.sub("", squash(title))
    match = _REGION_END.search(text)
    return text[: match.start()] if match else ""
