"""A real pdfplumber cell grid (上海 普陀区, 2026 财政项目支出绩效目标申报表, 拆违经费; see
tests/fixtures/specimens/) turned into a table: its 8 indicator rows, labels wrapped over lines
rejoined, and the merged cells recovered when the grid marks covered positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.readers import grid_texts
from extract.readers.pdf import table_from_grid

SPECIMENS = Path(__file__).resolve().parents[2] / "fixtures" / "specimens"
STEM = "shanghai_putuo_cgj_chaiwei_2026_project_target"
INDICATORS = [  # 一级, 二级, 三级, 年度(/项目)指标值
    ("成本指标", "经济成本指标", "成本控制合理性", "合理"),
    ("产出指标", "数量指标", "完成年度拆违计划", "=100.00(%)"),
    ("产出指标", "质量指标", "违法建筑销项正确率", "=100.00(%)"),
    ("产出指标", "时效指标", "新增违建处置率", "=100.00(%)"),
    ("效益指标", "社会效益指标", "群众政策知晓度", "≥90.00(%)"),
    ("效益指标", "生态效益指标", "提升城市环境美化指数", "提高"),
    ("效益指标", "可持续影响指标", "新增违建发生数", "降低"),
    ("满意度指标", "服务对象满意度指标", "群众满意度", "≥90.00(%)"),
]


@pytest.fixture(scope="module")
def grid() -> list[list[str]]:
    (table,) = json.loads((SPECIMENS / f"{STEM}_TABLEGRID.json").read_text(encoding="utf-8"))
    return table


def test_as_stored_every_position_is_a_cell_and_wraps_are_joined(grid):
    table = table_from_grid(grid)
    texts = grid_texts(table)
    assert (table.n_rows, table.n_cols) == (20, 8)
    assert texts[11] == ["绩效指标", "一级指标", "二级指标", "三级指标", "", "", "年度(/项目)指标值", ""]
    assert [row for row in texts[12:]] == [
        ["", "成本指标", "经济成本指标", "成本控制合理性", "", "", "合理", ""],
        ["", "产出指标", "数量指标", "完成年度拆违计划", "", "", "=100.00(%)", ""],
        ["", "", "质量指标", "违法建筑销项正确率", "", "", "=100.00(%)", ""],
        ["", "", "时效指标", "新增违建处置率", "", "", "=100.00(%)", ""],
        ["", "效益指标", "社会效益指标", "群众政策知晓度", "", "", "≥90.00(%)", ""],
        ["", "", "生态效益指标", "提升城市环境美化指数", "", "", "提高", ""],
        ["", "", "可持续影响指标", "新增违建发生数", "", "", "降低", ""],
        ["", "满意度指标", "服务对象满意度指标", "群众满意度", "", "", "≥90.00(%)", ""],
    ]
    assert all(c.row_span == c.col_span == 1 for c in table.cells())  # "" is an empty cell here
    assert texts[2][5] == "阶段性项目" and texts[5][0] == "项目资金（元）"
    assert texts[10][5] == ('"1.完成市、区相关部门下达的年度拆违任务。\n2.新增违建“零增长”，坚决做到“无增减存”。\n'
                           '3.开展存量违建专项治理，快速降低违建点位数。\n4.开展普查数据平台“拆一件、销一项、存一档”目标管理。"')
    assert texts[10][1] == texts[10][5]  # the same goal, printed wide in one column and wrapped in the other


@pytest.mark.parametrize("covered", ["blank", "none"])
def test_with_covered_positions_the_labels_span_their_groups(grid, covered):
    if covered == "blank":  # the grid as kept: covered positions saved as ""
        table = table_from_grid(grid, blank_is_covered=True, source_ref="page 1 table 1")
    else:  # pdfplumber's own convention: None where a merged cell covers the position
        table = table_from_grid([[None if text == "" else text for text in row] for row in grid],
                                source_ref="page 1 table 1")
    spread = grid_texts(table, spread=True)
    assert [(row[1], row[2], row[3], row[6]) for row in spread[12:]] == INDICATORS
    assert [row[0] for row in spread[11:]] == ["绩效指标"] * 9
    spans = {c.text: (c.row, c.col, c.row_span, c.col_span, c.source_ref) for c in table.cells()
             if c.text in ("绩效指标", "产出指标", "效益指标", "完成年度拆违计划", "合理", "项目资金（元）")}
    assert spans == {
        "绩效指标": (11, 0, 9, 1, "page 1 table 1 row 12 col 1"),
        "产出指标": (13, 1, 3, 1, "page 1 table 1 row 14 col 2"),
        "效益指标": (16, 1, 3, 1, "page 1 table 1 row 17 col 2"),
        "完成年度拆违计划": (13, 3, 1, 3, "page 1 table 1 row 14 col 4"),
        "合理": (12, 6, 1, 2, "page 1 table 1 row 13 col 7"),
        "项目资金（元）": (5, 0, 4, 2, "page 1 table 1 row 6 col 1")}


def test_rejoined_cells_are_what_the_text_layer_prints(grid):
    """Every indicator cell, wraps removed, is in the same page's text layer once its line
    breaks are removed too: joining wrapped lines invented and dropped nothing."""
    layer = (SPECIMENS / f"{STEM}_PDFTEXT.txt").read_text(encoding="utf-8").replace("\n", "")
    texts = grid_texts(table_from_grid(grid))
    for row in texts[12:]:
        for text in (row[1], row[2], row[3], row[6]):
            assert text.replace("\n", "") in layer, text


@pytest.mark.parametrize("covered", [False, True])
def test_the_grid_through_the_model_gives_the_form(grid, covered):
    """The grid as a table of the model (no format in between) through the extractor: the 8
    indicator rows with their 一级/二级 (the merged labels from spans when covered positions are
    known, from the content rules when "" is an empty cell), the header fields, and the funding
    pairs in 元 as income lines under their totals."""
    from extract.pipeline import extract_document
    from extract.readers.model import Document

    table = table_from_grid(grid, blank_is_covered=covered, source_ref="page 1 table 1")
    result = extract_document("chaiwei.pdf", "0" * 64, Document("chaiwei.pdf", "pdf", (table,)))
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.doc_type, doc.project_name, doc.fiscal_year, doc.amount_unit, doc.unit_name) == (
        "project_target", "拆违经费", "2026", "元", "上海市普陀区城市管理行政执法局执法大队")
    values = {v.indicator_seq: v.value_raw for v in result.indicator_values}
    assert [(i.level1_raw, i.level2_raw, i.level3_raw, values[i.indicator_seq])
            for i in result.indicators] == INDICATORS  # wrapped labels rejoined by table_from_grid
    assert [i.source_ref for i in result.indicators][:2] == ["page 1 table 1 row 13 col 4",
                                                            "page 1 table 1 row 14 col 4"]
    if covered:
        assert [i.level1_fill for i in result.indicators] == ["cell", "cell", "span", "span", "cell", "span", "span",
                                                             "cell"]
    lines = {line.line_seq: line for line in result.budget_lines}
    assert [(lines[a.line_seq].label_raw, lines[a.line_seq].parent_label_raw, a.phase, a.amount_raw, a.amount_unit)
            for a in result.budget_amounts][:5] == [
        ("项目资金总额", "", "project_total", "10,308,000.00", "元"),
        ("年度资金申请总额", "", "annual_budget", "3,498,000.00", "元"),
        ("其中：财政资金", "项目资金总额", "project_total", "10,308,000.00", "元"),
        ("其中：当年财政拨款", "年度资金申请总额", "annual_budget", "3,498,000.00", "元"),
        ("上年结转资金", "年度资金申请总额", "annual_budget", "0.00", "元")]
    assert {line.direction for line in result.budget_lines} == {"income"}
