"""The five samples published as a web page, a workbook (XLSX and XLS), a Word file and a PDF
extract exactly to the gold, as the text does: every indicator row with its labels and values,
every budget line with its amounts, the 15 target forms with their header fields, 002's report
sections and figures.

The renderings are made here with the libraries publishers use (tests/extract/readers/render.py):
level labels as real merged cells (HTML rowspan, merged ranges, Word vMerge, spanned PDF cells),
numbers as numeric cells, PDF tables breaking across pages. Where the format declares a merge,
the rows it covers get the label with fill `span`; where the text's content rules filled a row
(`ffill`), the format's merge fills it now; everything else matches the text extraction row for
row, except where the row sits (`source_line` is the text's line only; `source_ref` is each
format's locator)."""

from __future__ import annotations

import re
from dataclasses import asdict

import pytest

from extract.pipeline import FileExtraction, extract_file
from extract.readers import read_document
from tests.extract.conftest import SAMPLES, TARGET_FILES
from tests.extract.readers.render import RENDERERS, SUFFIX
from tests.extract.test_gold import _amount, form_part, gold_fill
from tests.wide import wide_budget_lines, wide_indicators

FORMATS = tuple(RENDERERS)  # html, xlsx, xls, docx, pdf
PREFIXES = ("000", "001", "002", "003", "004")
REF_SHAPE = {
    "html": re.compile(r"(table \d+ row \d+ col \d+|paragraph \d+)"),
    "docx": re.compile(r"(table \d+ row \d+ col \d+|paragraph \d+)"),
    "xlsx": re.compile(r"Sheet1!\$?[A-Z]+\$?\d+"),
    "xls": re.compile(r"Sheet1!\$?[A-Z]+\$?\d+"),
    "pdf": re.compile(r"page \d+ (table \d+ row \d+ col \d+|paragraph \d+)(; page \d+ table \d+ row \d+ col \d+)*"),
}
# where each row sits: compared apart, everything else must equal the text's rows
LOCATION = ("doc_id", "source_file", "source_sha256", "source_format", "source_line", "source_ref",
            "line_start", "line_end", "ref_start", "level1_fill", "level2_fill")


@pytest.fixture(scope="module")
def published() -> dict[tuple[str, str], FileExtraction]:
    """(format, prefix) → the sample rendered into that format and extracted."""
    out = {}
    for path in sorted(SAMPLES.glob("*.txt")):
        text_document = read_document(path.name, path.read_bytes())
        for kind in FORMATS:
            name = path.stem + SUFFIX[kind]
            out[kind, path.name[:3]] = extract_file(name, RENDERERS[kind](text_document))
    return out


def _without_location(rows, kind: str = "") -> list[dict]:
    out = [{k: v for k, v in asdict(r).items() if k not in LOCATION} for r in rows]
    if kind == "pdf":
        # reportlab's CJK wrap prints a space of the source at another place of the line
        # ('4. 研产贯通：大力' is drawn as '4.研产贯通： 大力'): the PDF says so, the reader reads it
        for row in out:
            if "text" in row:
                row["text"] = re.sub(r"\s+", "", row["text"])
    return out


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("prefix", TARGET_FILES)
def test_indicator_rows_match_gold_exactly(kind, prefix, gold, published):
    g = gold[prefix]
    unit = g["units"][0]
    want = [(r["project"] or unit, r["level1_raw"], r["level2_raw"], r["level3"], r["key_work"] or "",
             r["linked_project"] or "", r["half_year_value"], r["full_year_value"])
            for r in g["indicators"]]
    result = published[kind, prefix]
    got = [(form_part(result, i.doc_id), i.level1_raw, i.level2_raw, i.level3_raw, i.key_work_raw,
            i.linked_project_raw, i.half_year_raw, i.full_year_raw)
           for i in wide_indicators(result)]
    assert got == want
    assert result.issues == []


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("prefix", TARGET_FILES)
def test_fills_are_the_texts_or_the_formats_merges(kind, prefix, gold, published):
    """A label the text repeats by content (`ffill`) is a declared merge in the rendering (`span`)
    wherever the renderer merged it; every other fill is the text's."""
    rows = published[kind, prefix].indicators
    for level in ("level1", "level2"):
        want = [gold_fill(r[f"{level}_source"]) for r in gold[prefix]["indicators"]]
        got = [getattr(i, f"{level}_fill") for i in rows]
        assert [g if g != "span" else "ffill" for g in got] == want
    assert any(i.level1_fill == "span" for i in rows)


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("prefix", TARGET_FILES)
def test_budget_lines_match_gold_exactly(kind, prefix, gold, published):
    want = [(r["document_part"], r["direction"], r["label_raw"], _amount(r["half_year_amount"]),
             _amount(r["full_year_amount"])) for r in gold[prefix]["budget_lines"]]
    result = published[kind, prefix]
    got = [(form_part(result, b.doc_id), b.direction, b.label_raw, _amount(b.half_year_raw), _amount(b.full_year_raw))
           for b in wide_budget_lines(result)]
    assert got == want


@pytest.mark.parametrize("kind", FORMATS)
@pytest.mark.parametrize("prefix", PREFIXES)
def test_every_staging_row_equals_the_texts_but_for_where_it_sits(kind, prefix, extracted, published):
    """Forms with their header fields, narratives, 002's report sections and figures, amounts
    and values: the same rows as from the text."""
    text, result = extracted[prefix], published[kind, prefix]
    for table in ("documents", "narratives", "budget_lines", "budget_amounts", "indicators", "indicator_values",
                  "report_facts"):
        assert _without_location(getattr(result, table), kind) == _without_location(getattr(text, table), kind), table
    assert [d.source_format for d in result.documents] == [kind] * len(text.documents)
    assert [d.line_start for d in result.documents] == [None] * len(text.documents)


def test_002_report_sections_and_facts_from_every_format(extracted, published):
    sections = [(n.field, n.label_raw) for n in extracted["002"].narratives]
    assert len(sections) >= 6 and sections[0][0] == "overview"
    for kind in FORMATS:
        result = published[kind, "002"]
        assert [(n.field, n.label_raw) for n in result.narratives] == sections, kind
        assert len(result.report_facts) == len(extracted["002"].report_facts) == 63, kind
        assert [d.doc_type for d in result.documents] == ["dept_self_eval"]


@pytest.mark.parametrize("kind", FORMATS)
def test_every_row_says_where_it_came_from_in_the_formats_terms(kind, published):
    shape = REF_SHAPE[kind]
    for prefix in PREFIXES:
        result = published[kind, prefix]
        refs = ([r.source_ref for r in result.indicators] + [v.source_ref for v in result.indicator_values]
                + [b.source_ref for b in result.budget_lines] + [n.source_ref for n in result.narratives]
                + [d.ref_start for d in result.documents])
        assert refs and all(shape.fullmatch(ref) for ref in refs), [r for r in refs if not shape.fullmatch(r)][:3]
        assert all(r.source_line is None for r in result.indicators)


def test_a_value_cell_points_at_its_own_cell(published):
    """004's first indicator row: the half-year and full-year values sit in the two cells right
    of the 三级 name, and their refs say so."""
    result = published["xlsx", "000"]
    first = result.indicators[0]
    half, full = [v for v in result.indicator_values if v.indicator_seq == first.indicator_seq]
    l3_col, row = re.fullmatch(r"Sheet1!([A-Z]+)(\d+)", first.source_ref).groups()
    assert (half.period, full.period) == ("half_year", "full_year")
    assert half.source_ref == f"Sheet1!{chr(ord(l3_col) + 1)}{row}"
    assert full.source_ref == f"Sheet1!{chr(ord(l3_col) + 2)}{row}"
