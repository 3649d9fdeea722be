"""Self-evaluation tables print what their rows must add up to: the points each level label
announces (`产出指标(50分)`, `成本指标(0-20)分`) land beside the label (`level1_score_raw`,
`level2_score_raw`), and the total row closing the table (`合计 | 100 | 95`) lands as the report
facts `printed_total_weight` and `printed_total_score`, so the warehouse can check the sums."""

from __future__ import annotations

import html

import pytest

from extract.pipeline import FileExtraction, extract_file
from extract.records import ReportFact
from extract.taxonomy import score_annotation
from tests.extract.test_specimens import extract_specimen

# a project self-evaluation table as published (tab-separated cells), weights and scores in their columns
SELF_EVAL = "\n".join([
    "部门预算项目支出绩效自评表(2023年度)",
    "项目名称\t技能培训补助项目",
    "主管部门\t某县人力资源和社会保障局\t实施单位\t某县就业服务中心",
    "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\t偏差原因分析及改进措施",
    "产出指标(50分)\t数量指标(20分)\t培训人次\t≥100人次\t120人次\t20\t20\t",
    "\t质量指标(30分)\t培训合格率\t≥95%\t96%\t30\t30\t",
    "效益指标(30分)\t社会效益指标\t政策知晓率\t≥90%\t85%\t30\t25\t宣传不足，下年加强",
    "成本指标(0-20)分\t经济成本指标\t人均培训成本\t≤1000元\t900元\t20\t20\t",
    "合计\t\t\t\t\t100\t95\t",
])


def as_html(text: str) -> bytes:
    """The same form as a web page: one-cell lines as paragraphs, the rest as one table."""
    paragraphs = [f"<p>{html.escape(line)}</p>" for line in text.split("\n") if "\t" not in line]
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in line.split("\t")) + "</tr>"
                   for line in text.split("\n") if "\t" in line)
    return f"<html><body>{''.join(paragraphs)}<table>{rows}</table></body></html>".encode()


@pytest.fixture(scope="module", params=["txt", "html"])
def self_eval(request) -> FileExtraction:
    if request.param == "txt":
        return extract_file("selfeval.txt", SELF_EVAL.encode())
    return extract_file("selfeval.html", as_html(SELF_EVAL))


def test_score_annotation_is_the_points_as_printed():
    assert score_annotation("产出指标(70分)") == "70"
    assert score_annotation("产出指标（70分）") == "70"
    assert score_annotation("成本指标(0-20)分") == "0-20"
    assert score_annotation("满意度指标(10分)") == "10"
    assert score_annotation("数量指标") == ""
    assert score_annotation("") == ""


def test_level_labels_keep_their_points_beside_them(self_eval):
    assert not self_eval.has_errors
    got = [(i.level1_raw, i.level2_raw, i.level3_raw, i.level1_score_raw, i.level2_score_raw, i.weight_raw,
            i.score_raw) for i in self_eval.indicators]
    assert got == [
        ("产出指标(50分)", "数量指标(20分)", "培训人次", "50", "20", "20", "20"),
        ("产出指标(50分)", "质量指标(30分)", "培训合格率", "50", "30", "30", "30"),
        ("效益指标(30分)", "社会效益指标", "政策知晓率", "30", "", "30", "25"),
        ("成本指标(0-20)分", "经济成本指标", "人均培训成本", "0-20", "", "20", "20")]


def test_the_total_row_lands_as_printed_totals_by_column(self_eval):
    (doc,) = self_eval.documents
    line = 9 if doc.source_format == "txt" else None
    assert self_eval.report_facts == [
        ReportFact(doc.doc_id, "printed_total_weight", "100", "", "合计 | 100 | 95", line),
        ReportFact(doc.doc_id, "printed_total_score", "95", "", "合计 | 100 | 95", line)]
    assert "no_indicator_name" not in {i.code for i in self_eval.issues}


def test_a_total_row_without_its_columns_reads_full_marks_first():
    """大英县司法局: `合计 | 100` sits under the 一级 column (the label's merged cell was dropped);
    the one number printed is the full marks."""
    result = extract_specimen("daying_sfj_2023_project_selfeval_FRAGMENT.txt")
    first = result.documents[0]
    assert result.report_facts == [ReportFact(first.doc_id, "printed_total_weight", "100", "", "合计 | 100", 3)]
    assert ("no_indicator_name", 3) not in {(i.code, i.source_line) for i in result.issues}


def test_a_second_table_total_in_one_form_is_numbered():
    text = SELF_EVAL + "\n" + "\n".join(SELF_EVAL.split("\n")[3:]).replace("\t95\t", "\t90\t")
    result = extract_file("two_tables.txt", text.encode())
    keys = [(f.fact_key, f.value_raw) for f in result.report_facts]
    assert keys == [("printed_total_weight", "100"), ("printed_total_score", "95"),
                    ("printed_total_weight#2", "100"), ("printed_total_score#2", "90")]
