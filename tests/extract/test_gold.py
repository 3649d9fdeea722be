"""The samples extract exactly to the hand-checked gold: every indicator row with its labels,
fills and values, every budget line with its amounts, every form with its header fields."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.extract.conftest import TARGET_FILES
from tests.wide import wide_budget_lines, wide_indicators

GOLD_FILL = {"cell": "cell", "ffill": "ffill"}


def gold_fill(source: str) -> str:
    """The gold writes judged fills as prose ('JUDGED (backfill): …', 'ffill (continuation…')."""
    if source.startswith("JUDGED"):
        return "merged_group"
    return "ffill" if source.startswith("ffill") else GOLD_FILL[source]


def form_part(extraction, doc_id: str) -> str:
    doc = next(d for d in extraction.documents if d.doc_id == doc_id)
    return doc.project_name or doc.unit_name


@pytest.mark.parametrize("prefix", TARGET_FILES)
def test_indicator_rows_match_gold_exactly(prefix, gold, extracted):
    g = gold[prefix]
    unit = g["units"][0]
    want = [
        (r["line"], r["project"] or unit, r["level1_raw"], r["level2_raw"], r["level3"],
         r["key_work"] or "", r["linked_project"] or "", r["half_year_value"], r["full_year_value"],
         gold_fill(r["level1_source"]), gold_fill(r["level2_source"]))
        for r in g["indicators"]
    ]
    result = extracted[prefix]
    got = [
        (i.source_line, form_part(result, i.doc_id), i.level1_raw, i.level2_raw, i.level3_raw,
         i.key_work_raw, i.linked_project_raw, i.half_year_raw, i.full_year_raw, i.level1_fill, i.level2_fill)
        for i in wide_indicators(result)
    ]
    assert got == want


def test_indicator_totals(extracted):
    assert sum(len(extracted[p].indicators) for p in TARGET_FILES) == 298
    assert sum(len(extracted[p].budget_lines) for p in TARGET_FILES) == 158


def _amount(value) -> Decimal | str | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return str(value)


@pytest.mark.parametrize("prefix", TARGET_FILES)
def test_budget_lines_match_gold_exactly(prefix, gold, extracted):
    want = [
        (r["line"], r["document_part"], r["direction"], r["label_raw"],
         _amount(r["half_year_amount"]), _amount(r["full_year_amount"]))
        for r in gold[prefix]["budget_lines"]
    ]
    result = extracted[prefix]
    got = [
        (b.source_line, form_part(result, b.doc_id), b.direction, b.label_raw,
         _amount(b.half_year_raw), _amount(b.full_year_raw))
        for b in wide_budget_lines(result)
    ]
    assert got == want


def test_blank_amounts_stay_blank_and_schedule_stays_text(extracted):
    lines = {(b.source_line, b.label_raw): b for b in wide_budget_lines(extracted["004"])}
    assert lines[(18, "政府性基金")].full_year_raw == ""
    assert lines[(21, "社保基金")].full_year_raw == "0"
    office = lines[(265, "办公设备购置")]
    assert (office.half_year_raw, office.full_year_raw) == ("0", "")
    schedule = next(b for b in wide_budget_lines(extracted["001"]) if b.source_line == 16)
    assert (schedule.half_year_raw, schedule.full_year_raw) == ("序时进度", "25227")
    two_in_one = next(b for b in wide_budget_lines(extracted["000"]) if b.source_line == 21)
    assert (two_in_one.half_year_raw, two_in_one.full_year_raw) == ("2000", "4128.4")


def test_nested_income_labels_keep_their_parent(extracted):
    lines = {b.source_line: b for b in wide_budget_lines(extracted["000"])}
    assert lines[12].label_raw == "财政拨款 | 小计"
    assert lines[13].parent_label_raw == "财政拨款"
    assert lines[16].parent_label_raw == ""
    assert {b.source_line: b.label_raw for b in extracted["003"].budget_lines}[12] == "小计"


def test_fifteen_target_forms_with_types_years_and_names(gold, extracted):
    forms = [d for p in TARGET_FILES for d in extracted[p].documents]
    assert len(forms) == 15
    assert [(d.source_file[:3], d.doc_type, d.fiscal_year) for d in forms] == (
        [("000", "dept_target", "2026"), ("001", "project_target", "2026"), ("003", "dept_target", "2024")]
        + [("004", "project_target", "2026")] * 12
    )
    for prefix in ("000", "003"):
        (doc,) = extracted[prefix].documents
        assert doc.unit_name == gold[prefix]["units"][0]
        assert doc.title == gold[prefix]["title"]
        assert doc.line_start == gold[prefix]["title_line"]
        assert doc.amount_unit == "万元"
    projects_004 = [d.project_name for d in extracted["004"].documents]
    assert projects_004 == [p["name"] for p in gold["004"]["projects"]]
    assert [d.line_start for d in extracted["004"].documents] == gold["004"]["title_line"]
    assert {d.unit_name for d in extracted["004"].documents} == {"南通市科学技术局"}


def test_project_header_fields_of_001(gold, extracted):
    (doc,) = extracted["001"].documents
    (project,) = gold["001"]["projects"]
    assert doc.project_name == project["name"]
    assert doc.supervising_dept == project["主管部门"]
    assert doc.project_type == project["项目类型"]
    assert doc.project_level == project["项目级次"]
    assert doc.start_raw == project["开始时间"]
    assert doc.end_raw == project["完成时间"]
    assert doc.implementing_unit == project["实施单位"]
    assert doc.contact_raw == project["项目负责人/联系电话"]
    assert doc.region_raw == "南京市市级"


def test_blank_and_junk_contacts_of_004_are_kept_as_printed(extracted):
    contacts = [d.contact_raw for d in extracted["004"].documents]
    assert contacts == ["", "00", "", "0", "", "00", "", "", "00", "00", "00", "00"]
    assert {d.start_raw for d in extracted["004"].documents} == {"2026"}


def test_narratives_drop_html_and_keep_paragraphs(extracted):
    narratives = {n.field: n for n in extracted["000"].narratives}
    assert set(narratives) == {"unit_functions", "org_setup", "long_term_goal", "annual_goal"}
    assert narratives["org_setup"].text.startswith("下设7个部门，分别为综合保障服务部")
    assert "<p>" not in narratives["unit_functions"].text
    assert narratives["unit_functions"].text.split("\n")[1].startswith("(二) 负责研究制定园区发展战略")
    assert narratives["annual_goal"].source_line == 38
    tenth = extracted["004"].documents[9].doc_id
    project_fields = [n.field for n in extracted["004"].narratives if n.doc_id == tenth]
    assert project_fields == ["necessity", "feasibility", "content", "long_term_goal", "annual_goal"]


def test_self_evaluation_report_is_one_form_with_its_sections(gold, extracted):
    (doc,) = extracted["002"].documents
    assert doc.doc_type == "dept_self_eval"
    assert doc.fiscal_year == "2023"
    assert doc.unit_name == "南京市火炬高技术产业开发中心"
    assert doc.title == gold["002"]["title"]
    sections = {n.field: n for n in extracted["002"].narratives}
    assert list(sections) == ["overview", "conclusion", "achievements", "problems", "suggestions",
                              "evaluation_work", "attachment"]
    assert [sections[f].source_line for f in ("overview", "conclusion", "achievements", "problems",
                                              "suggestions", "evaluation_work")] == [5, 40, 44, 56, 59, 62]
    assert "自评结论为“优”" in sections["conclusion"].text
    assert sections["problems"].text == (
        "预算执行率存在偏差，部分项目预算执行率偏低。科室业务与绩效目标的设置需进一步量化")
    assert extracted["002"].indicators == []


def test_samples_raise_no_issues(extracted):
    assert [i for p in extracted for i in extracted[p].issues] == []


def test_doc_ids_are_deterministic(extracted):
    from extract.pipeline import extract_file
    from tests.extract.conftest import sample_path

    path = sample_path("004")
    again = extract_file(path.name, path.read_bytes())
    assert [d.doc_id for d in again.documents] == [d.doc_id for d in extracted["004"].documents]
    assert len({d.doc_id for p in extracted for d in extracted[p].documents}) == 16
