"""Real forms of other provinces (tests/fixtures/specimens): each template gives the rows, values
and amounts a reader of the printed form sees, level labels included."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from extract.pipeline import FileExtraction, extract_file

SPECIMENS = Path(__file__).resolve().parents[1] / "fixtures" / "specimens"


def extract_specimen(name: str) -> FileExtraction:
    path = SPECIMENS / name
    return extract_file(path.name, path.read_bytes())


def grid_html(name: str) -> bytes:
    """A pdfplumber cell grid (merged cells as "") rendered as an HTML table, in-cell line
    breaks as <br>: how the grid reaches the extractor through a reader."""
    grid = json.loads((SPECIMENS / name).read_text(encoding="utf-8"))[0]
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell).replace(chr(10), '<br>')}</td>" for cell in row)
                   + "</tr>" for row in grid)
    return f"<html><body><table>{rows}</table></body></html>".encode()


def rows_of(result: FileExtraction, doc_id: str) -> list[dict]:
    """Each indicator of a form with its values, as the warehouse would join them."""
    out = []
    for indicator in (i for i in result.indicators if i.doc_id == doc_id):
        values = [v for v in result.indicator_values
                  if v.doc_id == doc_id and v.indicator_seq == indicator.indicator_seq]
        out.append({"levels": (indicator.level1_raw, indicator.level2_raw, indicator.level3_raw),
                    "weight": indicator.weight_raw, "direction": indicator.direction_raw,
                    "score": indicator.score_raw, "deviation": indicator.deviation_raw,
                    "values": [(v.period, v.kind, v.value_raw, v.comparator_raw, v.number_raw, v.unit_raw)
                               for v in values]})
    return out


def amounts_of(result: FileExtraction, doc_id: str) -> list[tuple[str, str, str, str]]:
    labels = {line.line_seq: line.label_raw for line in result.budget_lines if line.doc_id == doc_id}
    return [(labels[a.line_seq], a.phase, a.amount_raw, a.amount_unit)
            for a in result.budget_amounts if a.doc_id == doc_id]


# -- 井研县马踏镇: several projects in one table, split 指标性质 / 指标值 / 度量单位, amounts in 元 ----------
@pytest.fixture(scope="module")
def jingyan() -> FileExtraction:
    return extract_specimen("jingyan_mata_2023_multi_project_target_FRAGMENT.txt")


def test_jingyan_gives_one_form_per_project_with_its_budget(jingyan):
    assert not jingyan.has_errors
    projects = {d.project_name: d for d in jingyan.documents if d.project_name}
    assert list(projects) == ["村组干部报酬", "基层组织活动经费"]
    assert {d.doc_type for d in jingyan.documents} == {"project_target"}
    assert {d.fiscal_year for d in jingyan.documents} == {"2023"}
    assert projects["村组干部报酬"].unit_name == "820001-井研县马踏镇人民政府"
    assert amounts_of(jingyan, projects["村组干部报酬"].doc_id) == [
        ("村组干部报酬", "annual_budget", "3,309,840.00", "元")]
    assert amounts_of(jingyan, projects["基层组织活动经费"].doc_id) == [
        ("基层组织活动经费", "annual_budget", "660,000.00", "元")]
    table_form = next(d for d in jingyan.documents if not d.project_name)
    assert amounts_of(jingyan, table_form.doc_id) == [("820-马踏镇部门", "annual_budget", "8,827,620.53", "元")]
    assert [len(rows_of(jingyan, d.doc_id)) for d in projects.values()] == [8, 5]


def test_jingyan_split_value_is_joined_and_kept_in_its_parts(jingyan):
    doc = next(d for d in jingyan.documents if d.project_name == "村组干部报酬")
    rows = rows_of(jingyan, doc.doc_id)
    assert rows[0] == {"levels": ("效益指标", "社会效益指标", "维护社会稳定"), "weight": "10",
                       "direction": "正向指标", "score": "", "deviation": "",
                       "values": [("full_year", "target", "≥95%", "≥", "95", "%")]}
    assert rows[2]["values"] == [("full_year", "target", "≥1人/年", "≥", "1", "人/年")]
    # a level-3 name may hold a number
    assert rows[4]["levels"] == ("产出指标", "数量指标", "村组干部230人")
    assert rows[4]["values"] == [("full_year", "target", "≥230个", "≥", "230", "个")]
    other = next(d for d in jingyan.documents if d.project_name == "基层组织活动经费")
    first = rows_of(jingyan, other.doc_id)[0]
    assert first["levels"] == ("满意度指标", "服务对象满意度指标", "辖区内群众满意度")
    assert first["weight"] == "10" and first["direction"] == "正向指标"


def test_jingyan_project_goal_lands_as_that_project_forms_annual_goal(jingyan):
    """The 年度目标 cell of a project's row is that project's goal: a narrative of its own form,
    under the field the seed form_labels gives 年度目标; the table's form gets none."""
    projects = {d.project_name: d.doc_id for d in jingyan.documents if d.project_name}
    got = [(n.doc_id, n.field, n.label_raw, n.text, n.source_line, n.source_ref) for n in jingyan.narratives]
    assert got == [
        (projects["村组干部报酬"], "annual_goal", "年度目标", "按时发放村组干部报酬", 5, "L5"),
        (projects["基层组织活动经费"], "annual_goal", "年度目标",
         "包括必要的办公用品费、水电费、报刊费等村社区办公经费,基层党组织开展组织活动、党员干部教育培训,群团活动开展,"
         "组织活动场所维护等。", 13, "L13")]


# -- 东莞: 中期 and 年度 column sets side by side -------------------------------------------------------
def test_dongguan_gives_each_row_once_per_period():
    result = extract_specimen("dongguan_jtj_road_2019_project_target_FRAGMENT.txt")
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.doc_type, doc.project_name, doc.fiscal_year, doc.amount_unit) == (
        "project_target", "镇际联网路升级改造工程一期", "2019", "万元")
    assert doc.unit_name == "东莞市交通运输局"  # printed `预算单位:东莞市交通运输局` in one cell
    assert "missing_unit_name" not in [i.code for i in result.issues]
    rows = rows_of(result, doc.doc_id)
    seen = [(r["levels"], r["values"][0][:3]) for r in rows if r["values"] and r["values"][0][2]]
    assert seen == [
        (("预期产出指标", "数量指标(或建筑规模指标)", "镇街补助款完成结算项目数"), ("mid_term", "target", "3")),
        (("预期产出指标", "数量指标(或建筑规模指标)", "镇街补助款完成结算项目数"), ("full_year", "target", "3")),
        (("预期产出指标", "质量指标", "补助款结算误差率"), ("mid_term", "target", "±3%以内")),
        (("预期产出指标", "质量指标", "补助款结算误差率"), ("full_year", "target", "±3%以内")),
        (("预期产出指标", "时效指标(工期指标)", "结算款支付及时性"), ("mid_term", "target", "及时")),
        (("预期产出指标", "时效指标(工期指标、形象进度指标)", "结算款支付及时性"), ("full_year", "target", "及时")),
        (("预期产出指标", "预算(或投资规模)控制指标", "年度预算执行率"), ("mid_term", "target", "≥90%")),
        (("预期产出指标", "预算(或投资规模)控制指标", "年度预算执行率"), ("full_year", "target", "≥90%")),
        (("效果指标", "社会、经济、生态效益 指标", "补助款结算争议率"), ("mid_term", "target", "0%")),
        (("效果指标", "社会、经济、生态效益 指标", "补助款结算争议率"), ("full_year", "target", "0%")),
    ]
    assert amounts_of(result, doc.doc_id) == [
        ("中期市财政预算(万元)", "mid_term_budget", "284500.00", "万元"),
        ("本年度申请市财政预算资金(万元)", "annual_budget", "919.00", "万元")]


# -- 大英县司法局: self-evaluation, the end of one form and the start of the next ---------------------------
def test_daying_self_evaluation_rows_and_funding():
    result = extract_specimen("daying_sfj_2023_project_selfeval_FRAGMENT.txt")
    assert not result.has_errors
    cut, second = result.documents
    assert (cut.doc_type, second.doc_type) == ("project_self_eval", "project_self_eval")
    assert second.project_name == "51092324T000010263357-2023年全县安可替代补助资金项目"
    (closing,) = rows_of(result, cut.doc_id)
    assert closing == {"levels": ("产出指标", "经济成本指标", "成本控制数"), "weight": "90", "direction": "",
                       "score": "90", "deviation": "",
                       "values": [("full_year", "target", "≤30万元", "≤", "30", "万元"),
                                  ("full_year", "actual", "完成", "", "", "")]}
    assert amounts_of(result, second.doc_id)[:3] == [
        ("总额", "initial_budget", "0.00", "万元"), ("总额", "annual_budget", "3.36", "万元"),
        ("总额", "executed", "3.36", "万元")]
    total = next(line for line in result.budget_lines if line.doc_id == second.doc_id)
    assert (total.rate_raw, total.weight_raw, total.score_raw) == ("100.00%", "10", "10")
    # the second form is cut inside its table: its rows land with a warning, not a quarantine
    assert ("truncated_table", second.doc_id) in [(i.code, i.doc_id) for i in result.issues]


# -- 上海 普陀: the pdfplumber grid, 成本指标 as a level 1, amounts in 元 ---------------------------------
def test_shanghai_grid_gives_eight_rows_and_the_funding_in_yuan():
    result = extract_file("chaiwei.html", grid_html("shanghai_putuo_cgj_chaiwei_2026_project_target_TABLEGRID.json"))
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.doc_type, doc.project_name, doc.fiscal_year, doc.amount_unit) == (
        "project_target", "拆违经费", "2026", "元")
    rows = rows_of(result, doc.doc_id)
    assert [(r["levels"][0], r["levels"][2], r["values"][0][2]) for r in rows] == [
        ("成本指标", "成本控制合理性", "合理"), ("产出指标", "完成年度拆违计划", "=100.00(%)"),
        ("产出指标", "违法建筑销项正确率", "=100.00(%)"), ("产出指标", "新增违建处置率", "=100.00(%)"),
        ("效益指标", "群众政策知晓度", "≥90.00(%)"), ("效益指标", "提升城市环境美化指数", "提高"),
        ("效益指标", "新增违建发生数", "降低"), ("满意度指标", "群众满意度", "≥90.00(%)")]
    assert {r["values"][0][:2] for r in rows} == {("full_year", "target")}
    assert rows[-1]["levels"][1] == "服务对象满意度\n指标"
    amounts = amounts_of(result, doc.doc_id)
    assert amounts[:2] == [("项目资金总额", "project_total", "10,308,000.00", "元"),
                           ("年度资金申请总额", "annual_budget", "3,498,000.00", "元")]


# -- 廊坊: one cell per paragraph, template placeholders left in -----------------------------------------
def test_langfang_paragraph_cells_give_nine_rows_with_actuals_scores_and_reasons():
    result = extract_specimen("langfang_food_school_2019_project_selfeval.txt")
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.doc_type, doc.fiscal_year, doc.amount_unit) == ("project_self_eval", "2019", "万元")
    rows = rows_of(result, doc.doc_id)
    assert [r["levels"] for r in rows] == [
        ("产出指标", "数量指标", "指标1工程资金金额"), ("产出指标", "质量指标", "指标1工程完工率"),
        ("产出指标", "质量指标", "指标2工程验收合格率"), ("产出指标", "时效指标", "指标1项目完成及时率"),
        ("产出指标", "成本指标", "指标1成本控制率"), ("效益指标", "经济效益指标", "指标1安全率"),
        ("效益指标", "社会效益指标", "指标1学校发展能力"), ("效益指标", "可持续影响指标", "指标1长期使用性"),
        ("满意度指标", "服务对象满意度指标", "指标1学生满意度")]
    assert rows[0] == {"levels": ("产出指标", "数量指标", "指标1工程资金金额"), "weight": "10", "direction": "",
                       "score": "9", "deviation": "已完工,剩余3%尾款未付,且最高限价低于预算金额。提高预算准确度。",
                       "values": [("full_year", "target", "43.2", "", "", ""),
                                  ("full_year", "actual", "37.24", "", "", "")]}
    assert all(r["values"] == [("full_year", "target", "100", "", "", ""), ("full_year", "actual", "100", "", "", "")]
               for r in rows[1:])
    placeholders = [i for i in result.issues if i.code == "template_placeholder"]
    assert placeholders and all(i.severity == "warning" for i in placeholders)
    assert amounts_of(result, doc.doc_id)[:3] == [
        ("年度资金总额", "initial_budget", "43.2", "万元"), ("年度资金总额", "annual_budget", "43.2", "万元"),
        ("年度资金总额", "executed", "37.24", "万元")]
    total = result.budget_lines[0]
    assert (total.rate_raw, total.weight_raw, total.score_raw) == ("86%", "10", "9")


# -- 上海 普陀, the PDF's text layer: one cell fragment per line ----------------------------------------
def test_shanghai_text_layer_gives_the_same_rows_and_amounts_as_the_grid():
    result = extract_specimen("shanghai_putuo_cgj_chaiwei_2026_project_target_PDFTEXT.txt")
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.doc_type, doc.fiscal_year, doc.amount_unit) == ("project_target", "2026", "元")
    rows = rows_of(result, doc.doc_id)
    assert [(r["levels"], r["values"][0][2]) for r in rows] == [
        (("成本指标", "经济成本指标", "成本控制合理性"), "合理"),
        (("产出指标", "数量指标", "完成年度拆违计划"), "=100.00(%)"),
        (("产出指标", "质量指标", "违法建筑销项正确率"), "=100.00(%)"),
        (("产出指标", "时效指标", "新增违建处置率"), "=100.00(%)"),
        (("效益指标", "社会效益指标", "群众政策知晓度"), "≥90.00(%)"),
        (("效益指标", "生态效益指标", "提升城市环境美化指数"), "提高"),
        (("效益指标", "可持续影响指标", "新增违建发生数"), "降低"),
        (("满意度指标", "服务对象满意度指标", "群众满意度"), "≥90.00(%)")]
    assert amounts_of(result, doc.doc_id)[:2] == [("项目资金总额", "project_total", "10,308,000.00", "元"),
                                                  ("年度资金申请总额", "annual_budget", "3,498,000.00", "元")]


# -- cells run together on one line ---------------------------------------------------------------------
def test_daying_wage_run_together_cells_give_four_rows_with_their_weights():
    result = extract_specimen("daying_wage_selfeval_tail_FRAGMENT.txt")
    assert not result.has_errors
    (doc,) = result.documents
    rows = rows_of(result, doc.doc_id)
    assert [(r["levels"], r["values"][0][2], r["weight"]) for r in rows] == [
        (("产出指标", "数量指标", "足额保障率"), "=100%", "22.5"),
        (("产出指标", "数量指标", "科目调整次数"), "≤10次", "22.5"),
        (("产出指标", "时效指标", "按时发放率"), "=100%", "22.5"),
        (("效益指标", "经济效益指标", "结余率(计算方法为:结余数/预算数)"), "≤5%", "22.5")]
    assert "cells_run_together" in [i.code for i in result.issues if i.severity == "warning"]
    # `合计100` right after the rows: the table's printed total, under the 权重 column (4 × 22.5 + the budget's 10)
    assert [(f.fact_key, f.value_raw, f.sentence) for f in result.report_facts] == [
        ("printed_total_weight", "100", "合计 | 100")]


def test_ningde_traditional_run_together_rows_give_target_and_actual_as_printed():
    result = extract_specimen("ningde_rencaiyizhan_2023_project_selfeval_TRADCHARS_FRAGMENT.txt")
    assert not result.has_errors
    (doc,) = result.documents
    assert doc.doc_type == "project_self_eval"
    rows = rows_of(result, doc.doc_id)
    assert [(r["levels"], [v[2] for v in r["values"]]) for r in rows] == [
        (("產出目標", "數量目標", "當年獲得寧德市級以上確認的人才驛站數量"), [">=2個", "0個", "0%"]),
        (("產出目標", "數量目標", "當年人才驛站組織活動數量"), [">=28次", "40次", "143%"]),
        (("產出目標", "數量目標", "每年人才驛站服務人次"), [">=500人", "1700人", "340%"]),
        (("產出目標", "質量目標", "各類人才對我市人才政策的知曉率"), [">=95%", "98%", "103%"]),
        (("產出目標", "質量目標", "人才驛站補助資金到位率"), [">=100%", "100%", "100%"])]
    # the page's prose after the rows states the funding: 本項目累計安排資金10萬元
    assert amounts_of(result, doc.doc_id) == [("累計安排資金", "project_total", "10", "万元")]
    assert [line.direction for line in result.budget_lines] == ["income"]
    # 績效目標值 / 實際完成值 / 累計完成率: the completion rate is a value of its own kind
    assert [v[:2] for v in rows[0]["values"]] == [("full_year", "target"), ("full_year", "actual"),
                                                  ("full_year", "completion_rate")]
