"""`.json` table grids (extract/readers/tablegrid.py): the Shanghai specimen grid as a file in an
inbox gives its form, and every accepted shape and every bad input answers as documented."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from extract.pipeline import extract_file
from extract.readers import ReaderError, grid_texts, read_document

SPECIMEN = (Path(__file__).resolve().parents[2] / "fixtures" / "specimens"
            / "shanghai_putuo_cgj_chaiwei_2026_project_target_TABLEGRID.json")


def test_the_specimen_grid_file_gives_its_form_with_levels_and_funding_in_yuan():
    result = extract_file(SPECIMEN.name, SPECIMEN.read_bytes())
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.source_format, doc.doc_type, doc.project_name, doc.fiscal_year, doc.amount_unit, doc.unit_name) == (
        "json", "project_target", "拆违经费", "2026", "元", "上海市普陀区城市管理行政执法局执法大队")
    assert [(i.level1_raw, i.level2_raw, i.level3_raw) for i in result.indicators] == [
        ("成本指标", "经济成本指标", "成本控制合理性"), ("产出指标", "数量指标", "完成年度拆违计划"),
        ("产出指标", "质量指标", "违法建筑销项正确率"), ("产出指标", "时效指标", "新增违建处置率"),
        ("效益指标", "社会效益指标", "群众政策知晓度"), ("效益指标", "生态效益指标", "提升城市环境美化指数"),
        ("效益指标", "可持续影响指标", "新增违建发生数"), ("满意度指标", "服务对象满意度指标", "群众满意度")]
    assert result.indicators[1].source_ref == "table 1 row 14 col 4"
    amounts = [(a.phase, a.amount_raw, a.amount_unit) for a in result.budget_amounts][:2]
    assert amounts == [("project_total", "10,308,000.00", "元"), ("annual_budget", "3,498,000.00", "元")]


def test_shapes_one_table_pages_and_numbers():
    one = [["一级指标", "二级指标"], ["产出指标", None], [None, 3.0]]
    assert grid_texts(read_document("t.json", json.dumps(one).encode()).tables[0]) == [
        ["一级指标", "二级指标"], ["产出指标", ""], ["", "3"]]
    paged = {"pages": [{"tables": [[["a", "b"]]]}, {"tables": [[["c", 1.5]], [["d"]]]}]}
    tables = read_document("t.json", json.dumps(paged).encode()).tables
    assert [grid_texts(t) for t in tables] == [[["a", "b"]], [["c", "1.5"]], [["d"]]]
    assert [next(t.cells()).source_ref for t in tables] == [
        "page 1 table 1 row 1 col 1", "page 2 table 2 row 1 col 1", "page 2 table 3 row 1 col 1"]
    listed = read_document("t.json", b'\xef\xbb\xbf{"tables": [[["x"]]]}')  # a UTF-8 mark is fine
    assert grid_texts(listed.tables[0]) == [["x"]]


@pytest.mark.parametrize(("data", "code", "ref"), [
    (b'{"name": "not a grid"}', "unsupported_format", None),
    (b'[["a", {"b": 1}]]', "unsupported_format", None),
    (b'[[1, 2]', "corrupt_file", "L1"),
    (b'\xff\xfe[', "corrupt_file", None),
    (b'[[[null, ""]]]', "empty_document", None),
])
def test_bad_json_is_a_clear_error(data, code, ref):
    with pytest.raises(ReaderError) as failed:
        read_document("t.json", data)
    assert (failed.value.code, failed.value.ref) == (code, ref)
