"""A Jiangsu 半年/全年 row that leaves a value blank: read by the header's column roles when it
stands under its header, so the blank stays in its own column and the 三级 name and labels stay
where they are (the content rules would take the 三级 name for the half-year value).

Each test blanks one half-year cell of a real sample, as text (an empty tab field) and as a web
page (an empty <td>), and checks that row and the rows around it exactly."""

from __future__ import annotations

import pytest

from extract.pipeline import FileExtraction, extract_file
from extract.readers import read_document
from tests.extract.conftest import sample_path
from tests.extract.readers.render import render_html
from tests.wide import wide_indicators


def blank_cell(prefix: str, line: int, col: int) -> tuple[str, bytes]:
    """The sample's text with one cell (1-based line, 0-based column) emptied."""
    path = sample_path(prefix)
    lines = path.read_text(encoding="utf-8").split("\n")
    cells = lines[line - 1].split("\t")
    assert cells[col], "the cell to blank must be filled in the sample"
    cells[col] = ""
    lines[line - 1] = "\t".join(cells)
    return path.name, "\n".join(lines).encode("utf-8")


def extract_as(kind: str, name: str, data: bytes) -> FileExtraction:
    if kind == "txt":
        return extract_file(name, data)
    return extract_file(name.replace(".txt", ".html"), render_html(read_document(name, data)))


def around(result: FileExtraction, level3: str) -> list[tuple[str, str, str, str, str, str]]:
    """The indicator named `level3` and the rows before and after it, as the warehouse joins them."""
    rows = wide_indicators(result)
    index = next(i for i, row in enumerate(rows) if row.level3_raw == level3)
    return [(r.level1_raw, r.level2_raw, r.level3_raw, r.key_work_raw, r.half_year_raw, r.full_year_raw)
            for r in rows[index - 1:index + 2]]


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_blank_half_year_of_a_project_row_stays_blank(kind):
    result = extract_as(kind, *blank_cell("001", 32, 3))
    assert not result.has_errors
    assert around(result, "综合性重大场景数（个）") == [
        ("过程", "组织实施", "制度执行有效性", "", "有效", "有效"),
        ("产出指标", "数量指标", "综合性重大场景数（个）", "", "", "10"),
        ("产出指标", "数量指标", "行业领域集成式场景数（个）", "", "15", "40")]
    assert len(result.indicators) == 38


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_blank_half_year_under_a_header_with_a_trailing_column(kind):
    """004's header prints one more (empty) column than its rows; the row after a page-break
    row (制度执行有效性, shifted left) is still read by its columns."""
    result = extract_as(kind, *blank_cell("004", 41, 3))
    assert not result.has_errors
    assert around(result, "招引科创项目数") == [
        ("过程", "组织实施", "制度执行有效性", "", "有效", "有效"),
        ("产出指标", "数量指标", "招引科创项目数", "", "", "≥1800个"),
        ("产出指标", "质量指标", "组织科技招商专题活动", "", "≥1场", "≥2场")]
    assert len(result.indicators) == 180


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_blank_half_year_of_a_duty_row_keeps_its_key_work(kind):
    result = extract_as(kind, *blank_cell("000", 72, 6))
    assert not result.has_errors
    assert around(result, "规上服务业参与核算行业营业收入增速") == [
        ("过程", "机构建设", "纪检监察工作有效性", "", "有效", "有效"),
        ("履职", "经济发展", "规上服务业参与核算行业营业收入增速", "产业发展扶持", "", "≥1%"),
        ("履职", "经济发展", "受益企业政策符合度", "产业发展扶持", "=100%", "=100%")]
    assert len(result.indicators) == 40


def test_the_blank_value_lands_as_its_own_blank_row_in_its_column():
    """The long table keeps the blank half-year cell (never 0, never the next cell's text)."""
    name, data = blank_cell("001", 32, 3)
    result = extract_file(name, data)
    indicator = next(i for i in result.indicators if i.level3_raw == "综合性重大场景数（个）")
    values = [(v.period, v.kind, v.value_raw, v.source_ref) for v in result.indicator_values
              if v.indicator_seq == indicator.indicator_seq]
    assert values == [("half_year", "target", "", "L32"), ("full_year", "target", "10", "L32")]
