"""The sample documents → form templates the corpus generator rewrites.

The extractor itself tells which line of a sample is what (an indicator row, a budget line,
a narrative, an indicator header), so the generator knows every line it writes and can
count what it generated. Each template keeps the sample's lines as printed, cell by cell,
with the quirks that make them hard to read (shifted rows, merged labels printed mid-group,
two amounts in one cell, a page break that drops the empty columns of the rows after it).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from extract.aligned_table import legacy_header
from extract.cells import amount_tokens, to_rows
from extract.column_roles import load_vocabulary
from extract.decode import decode_document
from extract.forms import DEPT_SELF_EVAL, region_from_title, split_forms
from extract.indicator_table import CELL, MERGED_GROUP, TAXONOMY, is_header_row
from extract.pipeline import ERROR, extract_file
from extract.records import Indicator
from extract.role_table import header_columns
from extract.taxonomy import Taxonomy, load_taxonomy

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"

PRE, POST = "pre", "post"
EXPENDITURE = "expenditure"
STANDARD_EXPENDITURE = frozenset({"基本支出", "项目支出", "人员经费", "公用经费"})


class TemplateError(RuntimeError):
    """A sample cannot serve as a template (it does not extract cleanly, or holds a row the
    generator would not know how to rewrite)."""


def _blank(cells: list[str]) -> bool:
    return not any(cell.strip() for cell in cells)


def _filled(cells: list[str]) -> list[int]:
    return [col for col, cell in enumerate(cells) if cell.strip()]


@dataclass(slots=True)
class TableRow:
    """A data row of an indicator table as printed in the sample.

    `slot` is where the indicator's content sits (三级 name, half-year, full-year cells);
    None for an empty template slot (labels only). `state` says whether the row was printed
    before the table's page break (full width) or after it (empty columns dropped).
    """

    cells: list[str]
    state: str
    slot: tuple[int, int, int] | None
    group: int | None
    labelled: bool
    pre: list[str] | None = None
    post: list[str] | None = None
    content: tuple[str, str, str] | None = None
    # per print state: (content columns, label columns left of the content)
    layout: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = field(default_factory=dict)


@dataclass(slots=True)
class TableTemplate:
    header: list[str]
    is_duty: bool
    rows: list[TableRow]
    trailing_blanks: int
    template_break: int | None
    break_pinned: bool
    valid_breaks: list[int]
    no_break_valid: bool


@dataclass(slots=True)
class PreludeLine:
    """A line above the first indicator table; `amount_cols` are the funding cells to rescale,
    `rename` the expenditure label to replace (dept forms name their projects there)."""

    cells: list[str]
    is_title: bool = False
    amount_cols: tuple[int, ...] = ()
    rename_col: int | None = None


@dataclass(slots=True)
class TargetTemplate:
    name: str
    source: str
    doc_type: str
    title_pattern: str
    prelude: list[PreludeLine]
    tables: list[TableTemplate]
    names: dict[str, str]
    contact: str
    indicator_rows: int
    budget_lines: int
    narratives: int
    indicator_labels: tuple[tuple[str, str, str], ...] = ()


@dataclass(slots=True)
class ReportTemplate:
    name: str
    source: str
    doc_type: str
    lines: list[str]
    unit_name: str
    indicator_rows: int = 0
    budget_lines: int = 0
    narratives: int = 0
    indicator_labels: tuple[tuple[str, str, str], ...] = ()


@dataclass(slots=True)
class TemplateSet:
    by_type: dict[str, dict[str, list]] = field(default_factory=lambda: defaultdict(dict))
    by_name: dict[str, object] = field(default_factory=dict)

    def add(self, template) -> None:
        self.by_type[template.doc_type].setdefault(template.source, []).append(template)
        self.by_name[template.name] = template


def load_templates(samples_dir: Path = SAMPLES_DIR, taxonomy: Taxonomy | None = None) -> TemplateSet:
    taxonomy = taxonomy or load_taxonomy()
    templates = TemplateSet()
    paths = sorted(samples_dir.glob("*.txt"))
    if not paths:
        raise TemplateError(f"no sample documents (*.txt) in {samples_dir}")
    for path in paths:
        for template in _file_templates(path, taxonomy):
            templates.add(template)
    return templates


def _file_templates(path: Path, taxonomy: Taxonomy) -> list:
    data = path.read_bytes()
    result = extract_file(path.name, data, taxonomy)
    if any(issue.severity == ERROR for issue in result.issues):
        raise TemplateError(f"{path.name} does not extract cleanly: {result.issues}")
    text = decode_document(data).text
    raw_lines = text.split("\n")
    forms = split_forms(to_rows(text))
    if len(forms) != len(result.documents):
        raise TemplateError(f"{path.name}: {len(forms)} forms but {len(result.documents)} documents")
    indicators = defaultdict(list)
    for indicator in result.indicators:
        indicators[indicator.doc_id].append(indicator)
    budget_lines = defaultdict(list)
    for line in result.budget_lines:
        budget_lines[line.doc_id].append(line)
    narratives = defaultdict(int)
    for narrative in result.narratives:
        narratives[narrative.doc_id] += 1
    stem = path.stem.split("_")[0]
    templates = []
    for form, doc in zip(forms, result.documents, strict=True):
        numbers = [row.line_no for row in form.rows]
        while numbers and not raw_lines[numbers[0] - 1].strip():
            numbers.pop(0)
        while numbers and not raw_lines[numbers[-1] - 1].strip():
            numbers.pop()
        name = f"{stem}#{form.part_seq}"
        if doc.doc_type == DEPT_SELF_EVAL:
            templates.append(ReportTemplate(name, stem, doc.doc_type, [raw_lines[n - 1] for n in numbers],
                                            doc.unit_name, narratives=narratives[doc.doc_id]))
            continue
        templates.append(_target_template(
            name, stem, doc, raw_lines, numbers, form.title_line, indicators[doc.doc_id],
            budget_lines[doc.doc_id], narratives[doc.doc_id], taxonomy))
    return templates


def _target_template(name, source, doc, raw_lines, numbers, title_line, indicators, budget_lines,
                     narrative_count, taxonomy) -> TargetTemplate:
    by_line = {indicator.source_line: indicator for indicator in indicators}
    budget_by_line = {line.source_line: line for line in budget_lines}
    rows = {n: raw_lines[n - 1].split("\t") for n in numbers}
    header_numbers = [n for n in numbers if is_header_row(to_rows(raw_lines[n - 1])[0])]
    if not header_numbers:
        raise TemplateError(f"{name}: no indicator table")
    prelude = []
    for n in numbers:
        if n >= header_numbers[0]:
            break
        cells = rows[n]
        line = PreludeLine(cells, is_title=n == title_line)
        budget = budget_by_line.get(n)
        if budget is not None:
            line.amount_cols = tuple(c for c in _filled(cells) if amount_tokens(cells[c].strip()) is not None)
            label = budget.label_raw
            if (budget.direction == EXPENDITURE and label not in STANDARD_EXPENDITURE
                    and label not in (doc.project_name, "") and " | " not in label):
                line.rename_col = next(c for c in _filled(cells) if cells[c].strip() == label)
        prelude.append(line)
    tables = []
    bounds = [*header_numbers, numbers[-1] + 1]
    for start, end in zip(bounds, bounds[1:], strict=False):
        region = [n for n in numbers if start <= n < end]
        tables.append(_table_template(name, region, rows, by_line, taxonomy))
    issuer = region_from_title(doc.title)
    title = raw_lines[title_line - 1].strip()
    if not issuer or issuer not in title:
        raise TemplateError(f"{name}: cannot find the issuer in title '{title}'")
    names = {key: value for key, value in (
        ("project_name", doc.project_name), ("unit_name", doc.unit_name),
        ("supervising_dept", doc.supervising_dept), ("implementing_unit", doc.implementing_unit)) if value}
    written = sum(1 for table in tables for row in table.rows if row.slot is not None)
    if written != len(indicators):
        raise TemplateError(f"{name}: {written} indicator slots but {len(indicators)} indicators extracted")
    labels = tuple(sorted((i.level1_raw, i.level2_raw, i.level3_raw) for i in indicators))
    return TargetTemplate(name, source, doc.doc_type, title.replace(issuer, "{issuer}", 1), prelude, tables,
                          names, doc.contact_raw, len(indicators), len(budget_lines), narrative_count, labels)


def _table_template(name: str, region: list[int], rows: dict[int, list[str]],
                    by_line: dict[int, Indicator], taxonomy: Taxonomy) -> TableTemplate:
    header = rows[region[0]]
    is_duty = legacy_header(header_columns([to_rows("\t".join(header))[0]], load_vocabulary())).is_duty_table
    data_rows: list[TableRow] = []
    indicators: list[Indicator | None] = []
    breaks: list[int] = []
    pending_blank = 0
    state = PRE
    previous: Indicator | None = None
    group = -1
    for n in region[1:]:
        cells = rows[n]
        if _blank(cells):
            pending_blank += 1
            continue
        if pending_blank:
            if pending_blank > 1 or breaks:
                raise TemplateError(f"{name}: line {n}: more than one page break in a table")
            breaks.append(len(data_rows))
            state = POST
            pending_blank = 0
        indicator = by_line.get(n)
        if indicator is None:
            texts = [cells[c].strip() for c in _filled(cells)]
            if len(texts) > 2 or not all(taxonomy.is_label(t) for t in texts):
                raise TemplateError(f"{name}: line {n} is neither an indicator row nor an empty slot")
            data_rows.append(TableRow(cells, state, None, None, True))
            indicators.append(None)
            previous = None
            continue
        slot = tuple(_filled(cells)[-3:])
        labelled = CELL in (indicator.level1_fill, indicator.level2_fill)
        key = (indicator.level1_raw, indicator.level2_raw)
        if previous is None or (previous.level1_raw, previous.level2_raw) != key:
            group += 1
        data_rows.append(TableRow(cells, state, slot, group, labelled))
        indicators.append(indicator)
        previous = indicator
    empty_cols = [c for c, text in enumerate(header) if not text.strip()]
    wide = len(header)
    for row in data_rows:
        if row.state == PRE:
            row.pre = row.cells
            row.post = _to_post(row.cells, wide, empty_cols)
        else:
            row.post = row.cells
            row.pre = _to_pre(row.cells, wide, empty_cols)
        if row.slot is not None:
            row.content = tuple(row.cells[c] for c in row.slot)
        for state, cells in ((PRE, row.pre), (POST, row.post)):
            if cells is not None:
                filled = _filled(cells)
                split = len(filled) - 3 if row.slot is not None else len(filled)
                row.layout[state] = (tuple(filled[split:]), tuple(filled[:split]))
    template_break = breaks[0] if breaks else None
    pinned = is_duty or (template_break is not None
                         and _quirky_break(data_rows, indicators, template_break, header, empty_cols))
    valid = [p for p in range(1, len(data_rows))
             if all(r.pre is not None for r in data_rows[:p]) and all(r.post is not None for r in data_rows[p:])]
    no_break_valid = all(r.pre is not None for r in data_rows)
    if template_break is not None and not no_break_valid:
        pinned = True
    return TableTemplate(header, is_duty, data_rows, pending_blank, template_break, pinned, valid, no_break_valid)


def _to_post(cells: list[str], wide: int, empty_cols: list[int]) -> list[str] | None:
    """The row as printed after a page break: the header's empty columns dropped."""
    if len(cells) != wide or any(cells[c].strip() for c in empty_cols):
        return None
    dropped = set(empty_cols)
    return [cell for col, cell in enumerate(cells) if col not in dropped]


def _to_pre(cells: list[str], wide: int, empty_cols: list[int]) -> list[str] | None:
    if len(cells) != wide - len(empty_cols):
        return None
    widened = list(cells)
    for col in empty_cols:
        widened.insert(col, "")
    return widened


def _quirky_break(rows: list[TableRow], indicators: list[Indicator | None], at: int, header: list[str],
                  empty_cols: list[int]) -> bool:
    """A break that caused a quirk stays where the sample has it: a merged level-1 label
    printed on the first row after it, or a row shifted left right after it."""
    before = indicators[at - 1]
    if before is not None and before.level1_fill in (MERGED_GROUP, TAXONOMY):
        return True
    after = rows[at]
    if after.slot is None:
        return False
    level3_col = next((c for c, text in enumerate(header) if "三级指标" in text), None)
    if level3_col is None:
        return True
    expected = level3_col - sum(1 for c in empty_cols if c < level3_col)
    return _filled(after.cells)[-3] != expected
