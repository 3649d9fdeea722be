"""Level labels with score annotations and forms in traditional characters with pinyin glosses:
matched in simplified form against the seeds, landed as printed."""

from __future__ import annotations

from extract.pipeline import extract_file
from extract.script_forms import matching_form
from extract.taxonomy import label_key, load_taxonomy


def test_score_annotations_are_not_part_of_the_label():
    taxonomy = load_taxonomy()
    assert label_key("产出指标(70分)") == "产出指标"
    assert label_key("成本指标(0-20)分") == "成本指标"
    assert label_key("效益指标（30分）") == "效益指标"
    assert taxonomy.level1_of("产出指标(70分)") == "产出指标"


def test_traditional_characters_and_glosses_match_in_simplified_form():
    assert matching_form("預算執(zhí)行率") == "预算执行率"
    taxonomy = load_taxonomy()
    assert taxonomy.level1_of("產出目標") == "产出指标"
    assert taxonomy.meaning("數量目標").level2_parent == "产出指标"


def test_a_traditional_form_lands_as_printed():
    text = "\n".join([
        "某某項目績效自評表", "項目名稱\t人才驛站補助資金",
        "一級指標\t二級指標\t三級指標\t年度指標值\t實際完成值\t得分",
        "產出目標(50分)\t數量目標\t當年人才驛站組織活動數量\t>=28次\t40次\t10",
        "\t質量目標\t人才驛站補助資金到位率\t>=100%\t100%\t10",
    ])
    result = extract_file("tw.txt", text.encode())
    assert not result.has_errors
    (doc,) = result.documents
    assert (doc.doc_type, doc.project_name) == ("project_self_eval", "人才驛站補助資金")
    rows = [(i.level1_raw, i.level2_raw, i.level3_raw, i.score_raw) for i in result.indicators]
    assert rows == [("產出目標(50分)", "數量目標", "當年人才驛站組織活動數量", "10"),
                    ("產出目標(50分)", "質量目標", "人才驛站補助資金到位率", "10")]
    assert [(v.kind, v.value_raw) for v in result.indicator_values] == [
        ("target", ">=28次"), ("actual", "40次"), ("target", ">=100%"), ("actual", "100%")]
