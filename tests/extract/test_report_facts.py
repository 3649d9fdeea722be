"""report_facts: the figures of a self-evaluation report's prose under stable fact keys.

The gold of 002 fixes what must be found; the paraphrases (other word orders, 元 for 万元,
thousands separators, Chinese numerals, other filler words) keep the extractor honest about
wording it has not seen; the property tests pin parse_number, which dbt mirrors.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.cells import to_rows
from extract.pipeline import extract_file
from extract.records import ReportFact
from extract.report_facts import NIL_WORDS, FactFound, is_nil_word, parse_number, read_report_facts

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "data" / "samples" / "002_51313b31403ae784.txt"
GOLD = json.loads((REPO / "tests" / "fixtures" / "seeds_gold.json").read_text(encoding="utf-8"))[SAMPLE.name]

# gold label → fixed fact key (the gold's own labels, as printed in GOLD.md)
GOLD_FIXED_KEYS = {
    "编制数": "staff_authorized",
    "实有编内人数": "staff_actual",
    "内设部门": "internal_departments",
    "资产(总额)": "assets_total",
    "流动资产": "assets_current",
    "非流动资产": "assets_noncurrent",
    "固定资产": "assets_fixed",
    "无形资产": "assets_intangible",
    "本年度收入": "income_total",
    "一般公共预算财政拨款收入": "income_general_budget",
    "一般公共预算财政拨款收入占总收入": "income_general_budget_share",
    "事业收入": "income_business",
    "其他收入": "income_other",
    "本年度支出": "expenditure_total",
    "基本支出": "expenditure_basic",
    "基本支出占总支出": "expenditure_basic_share",
    "项目支出": "expenditure_project",
    "项目支出占总支出": "expenditure_project_share",
    "年初收入支出预算": "budget_initial",
    "收入年终决算": "income_final_account",
    "支出年终决算": "expenditure_final_account",
    "差异数中事业收入": "budget_variance_income_business",
    "差异数中其他收入": "budget_variance_income_other",
    "“三公经费”支出": "three_public_total",
    "公车运行维护费": "three_public_vehicle_operation",
    "公务接待费": "three_public_reception",
    "会议费支出": "meeting_expense",
    "培训费支出": "training_expense",
    "部门整体支出绩效自评结论": "evaluation_grade",
}
GOLD_GENERIC_PREFIX = {"performance": "performance:", "scope": "figure:", "target": "target:"}
BUDGET_LINE_KEYS = {
    "本年度收入": "income_total",
    "一般公共预算财政拨款收入": "income_general_budget",
    "事业收入": "income_business",
    "其他收入": "income_other",
    "本年度支出": "expenditure_total",
    "基本支出": "expenditure_basic",
    "项目支出": "expenditure_project",
    "本年度年初收入支出预算": "budget_initial",
}
MONEY_IN_WAN = {"元": Decimal("0.0001"), "千元": Decimal("0.1"), "万元": Decimal(1), "亿元": Decimal(10_000)}


def facts_of(*lines: str) -> list[FactFound]:
    return read_report_facts(to_rows("\n".join(lines)))


def by_key(facts: list[FactFound]) -> dict[str, FactFound]:
    return {fact.fact_key: fact for fact in facts}


def measured(fact: FactFound) -> tuple[Decimal | str | None, str]:
    """A fact's value in a comparable form: money in 万元, a grade as printed, else as parsed."""
    number = parse_number(fact.value_raw)
    if number is None:
        return fact.value_raw, fact.unit_raw
    if fact.unit_raw in MONEY_IN_WAN or (is_nil_word(fact.value_raw) and not fact.unit_raw):
        return number * MONEY_IN_WAN.get(fact.unit_raw, Decimal(1)), "money"
    return number, fact.unit_raw


def measured_by_key(facts: list[FactFound]) -> dict[str, tuple[Decimal | str | None, str]]:
    return {fact.fact_key: measured(fact) for fact in facts}


@pytest.fixture(scope="module")
def sample_facts() -> list[ReportFact]:
    extraction = extract_file(SAMPLE.name, SAMPLE.read_bytes())
    (document,) = extraction.documents
    assert {fact.doc_id for fact in extraction.report_facts} == {document.doc_id}
    return extraction.report_facts


# --- the gold of 002 -------------------------------------------------------------------------


def test_every_fixed_gold_figure_lands_under_its_key(sample_facts):
    facts = {fact.fact_key: fact for fact in sample_facts}
    fixed = [figure for figure in GOLD["report_figures"] if figure["label"] in GOLD_FIXED_KEYS]
    assert len(fixed) == len(GOLD_FIXED_KEYS)
    for figure in fixed:
        fact = facts[GOLD_FIXED_KEYS[figure["label"]]]
        assert fact.source_line == figure["line"], figure
        if figure["unit"] == "grade":
            assert (fact.value_raw, fact.unit_raw) == (figure["value"], "")
        elif figure["unit"].startswith("万元 (text: 无)"):
            assert (fact.value_raw, fact.unit_raw) == ("无", "")
            assert parse_number(fact.value_raw) == 0 and is_nil_word(fact.value_raw)
        else:
            assert parse_number(fact.value_raw) == Decimal(str(figure["value"])), figure
            assert fact.unit_raw == figure["unit"], figure


def test_every_generic_gold_figure_lands_once_with_its_line_value_and_unit(sample_facts):
    pool = [fact for fact in sample_facts if ":" in fact.fact_key]
    generic = [figure for figure in GOLD["report_figures"] if figure["label"] not in GOLD_FIXED_KEYS]
    assert len(generic) == len(GOLD["report_figures"]) - len(GOLD_FIXED_KEYS)
    for figure in generic:
        values = figure["value"] if isinstance(figure["value"], list) else [figure["value"]]
        unit = figure["unit"].split(" ")[0]
        for value in values:
            match = next(
                (fact for fact in pool
                 if fact.source_line == figure["line"] and fact.unit_raw == unit
                 and parse_number(fact.value_raw) == Decimal(str(value))
                 and fact.fact_key.startswith(GOLD_GENERIC_PREFIX[figure["category"]])),
                None)
            assert match is not None, (figure, value)
            pool.remove(match)


def test_the_eight_budget_lines_land_as_fixed_keys_in_wan(sample_facts):
    facts = {fact.fact_key: fact for fact in sample_facts}
    assert len(GOLD["budget_lines"]) == 8
    for line in GOLD["budget_lines"]:
        fact = facts[BUDGET_LINE_KEYS[line["label_raw"]]]
        assert parse_number(fact.value_raw) == Decimal(str(line["full_year_amount"]))
        assert (fact.unit_raw, fact.source_line) == ("万元", line["line"])


def test_grade_and_meeting_expense_written_as_a_word(sample_facts):
    facts = {fact.fact_key: fact for fact in sample_facts}
    assert facts["evaluation_grade"].value_raw == GOLD["evaluation_conclusion"] == "优"
    assert facts["evaluation_grade"].source_line == GOLD["evaluation_conclusion_line"]
    assert facts["meeting_expense"].value_raw == "无"
    assert facts["meeting_expense"].sentence == "（2）本年度会议费支出无"


def test_keys_are_unique_and_every_row_quotes_its_sentence(sample_facts):
    lines = SAMPLE.read_text(encoding="utf-8").split("\n")
    assert len({fact.fact_key for fact in sample_facts}) == len(sample_facts)
    for fact in sample_facts:
        assert fact.sentence in lines[fact.source_line - 1]
        assert fact.value_raw in fact.sentence.replace("“", "").replace("”", "")
        assert fact.unit_raw == "" or fact.unit_raw in fact.sentence


def test_sample_has_the_gold_figures_and_few_others(sample_facts):
    # 58 gold figures, one of them three issue numbers (56, 85, 115); the 3 others are real
    # figures the gold leaves out: '第85期' repeated, '三个层级' (line 38), '11个行政区' (line 54)
    assert len(sample_facts) == 58 + 2 + 3


def test_performance_keys_in_002_read_as_their_clause(sample_facts):
    keys = {fact.fact_key for fact in sample_facts}
    assert {"performance:上报积分企业", "performance:上报积分企业_increase_pct", "performance:高新技术企业_share",
            "performance:科技型中小企业_share", "performance:初创期", "performance:导报刊用信息",
            "performance:产业资讯栏目发布信息", "performance:科研用地使用情况"} <= keys


# --- paraphrases: the same facts in other words ----------------------------------------------


FIXED_PARAPHRASES = [
    (["本单位核定编制二十人，实有人数十二人，下设4个内设部门。"],
     {"staff_authorized": (20, "人"), "staff_actual": (12, "人"), "internal_departments": (4, "个")}),
    (["实有编内人员12名，编制数为20人，共设有四个内设部门。"],
     {"staff_actual": (12, "名"), "staff_authorized": (20, "人"), "internal_departments": (4, "个")}),
    (["市火炬中心编制20人，实有12人，内设综合管理部等4个部门；另走访3个部门。"],
     {"staff_authorized": (20, "人"), "staff_actual": (12, "人"), "internal_departments": (4, "个"),
      "performance:另走访部门": (3, "个")}),
    (["本年度共取得收入5,673,700元，发生支出5,633,200元。"],
     {"income_total": (Decimal("567.37"), "money"), "expenditure_total": (Decimal("563.32"), "money")}),
    (["单位资产总额为9,556,500元，其中：流动资产731,300元、非流动资产8,825,200元（其中固定资产277,700元，"
      "无形资产8,547,500元）。"],
     {"assets_total": (Decimal("955.65"), "money"), "assets_current": (Decimal("73.13"), "money"),
      "assets_noncurrent": (Decimal("882.52"), "money"), "assets_fixed": (Decimal("27.77"), "money"),
      "assets_intangible": (Decimal("854.75"), "money")}),
    (["全年收入合计5,673,700元。其中：一般公共预算财政拨款收入为5,598,700元，占本年收入的98.68%；"
      "事业收入74,000元，其他收入1,000元。"],
     {"income_total": (Decimal("567.37"), "money"), "income_general_budget": (Decimal("559.87"), "money"),
      "income_general_budget_share": (Decimal("98.68"), "%"), "income_business": (Decimal("7.4"), "money"),
      "income_other": (Decimal("0.1"), "money")}),
    (["一般公共预算财政拨款收入占总收入的98.68％，事业收入、其他收入分别为7.4万元和0.1万元。"],
     {"income_general_budget_share": (Decimal("98.68"), "%"), "income_business": (Decimal("7.4"), "money"),
      "income_other": (Decimal("0.1"), "money")}),
    (["本年度支出563.32万元，基本支出和项目支出分别为355.21万元和208.11万元，占比分别为63.06%、36.94%。"],
     {"expenditure_total": (Decimal("563.32"), "money"), "expenditure_basic": (Decimal("355.21"), "money"),
      "expenditure_project": (Decimal("208.11"), "money"), "expenditure_basic_share": (Decimal("63.06"), "%"),
      "expenditure_project_share": (Decimal("36.94"), "%")}),
    (["年初预算数为570.57万元；全年收入决算数567.37万元、支出决算数563.32万元。"],
     {"budget_initial": (Decimal("570.57"), "money"), "income_final_account": (Decimal("567.37"), "money"),
      "expenditure_final_account": (Decimal("563.32"), "money")}),
    (["“三公”经费支出合计5,500元，其中：公务用车运行维护费5,100元，公务接待费400元，因公出国（境）费0元。"],
     {"three_public_total": (Decimal("0.55"), "money"),
      "three_public_vehicle_operation": (Decimal("0.51"), "money"),
      "three_public_reception": (Decimal("0.04"), "money"), "three_public_overseas": (Decimal(0), "money")}),
    (["本年度无会议费支出，培训费共计21,200元。"],
     {"meeting_expense": (Decimal(0), "money"), "training_expense": (Decimal("2.12"), "money")}),
    (["会议费：无；本年度支出培训费2.12万元。"],
     {"meeting_expense": (Decimal(0), "money"), "training_expense": (Decimal("2.12"), "money")}),
    (["经综合评价，自评得分96.5分，部门整体支出绩效评价等级为“优”。"],
     {"evaluation_score": (Decimal("96.5"), "分"), "evaluation_grade": ("优", "")}),
    (["二、评价结论", "本部门整体支出绩效自评结论：优，达到预期目标。"], {"evaluation_grade": ("优", "")}),
]


@pytest.mark.parametrize(("lines", "expected"), FIXED_PARAPHRASES, ids=[p[0][0][:12] for p in FIXED_PARAPHRASES])
def test_paraphrased_core_figures_land_under_the_same_keys(lines, expected):
    found = measured_by_key(facts_of(*lines))
    assert found == {key: (Decimal(value) if isinstance(value, int) else value, unit)
                     for key, (value, unit) in expected.items()}


def test_nil_words_land_as_written_and_read_as_zero():
    facts = by_key(facts_of("本年度未发生会议费，“三公经费”支出无，培训费支出为零。"))
    assert {key: fact.value_raw for key, fact in facts.items()} == {
        "meeting_expense": "未发生", "three_public_total": "无", "training_expense": "零"}
    assert [is_nil_word(f.value_raw) for f in facts.values()] == [True, True, False]
    assert {parse_number(f.value_raw) for f in facts.values()} == {Decimal(0)}
    assert facts_of("无形资产854.75万元")[0].fact_key == "assets_intangible"


def test_the_extractor_knows_the_nil_words_of_the_vocabulary_seed():
    """parse_number and is_nil_word must read a word for nothing as the warehouse does
    (int_report_facts_parsed joins seed value_vocabulary's `nil` terms)."""
    import csv

    seed = REPO / "seeds" / "value_vocabulary.csv"
    with seed.open(encoding="utf-8", newline="") as stream:
        nil_terms = {row["term"] for row in csv.DictReader(stream) if row["value_class"] == "nil"}
    assert nil_terms == set(NIL_WORDS)
    assert [(parse_number(word), is_nil_word(word)) for word in ("未列支", "未安排")] == [(Decimal(0), True)] * 2
    assert by_key(facts_of("本年度未列支会议费。"))["meeting_expense"].value_raw == "未列支"


ACHIEVEMENTS = "3、 部门履职成效"
PERFORMANCE_PARAPHRASES = [
    ("按月度上报高新区火炬统计月报，全年组织培训9874家园区企业参与完成火炬企业年报和创投年报数据填报。",
     "全年组织培训园区企业9,874家参与完成火炬企业年报和创投年报数据填报。"),
    ("2023年上报积分企业5977家，较2022年增长16.13%，做到了15个园区全覆盖。",
     "2024年上报积分企业共计5,977家，比上年增长16.13%，做到了十五个园区全覆盖。"),
    ("其中高新技术企业4377家、科技型中小企业4748家，占比分别为73.23%和79.44%。",
     "其中高新技术企业四千三百七十七家、科技型中小企业4,748家，占比分别为73.23%、79.44%。"),
    ("截至目前，创新积分贷产品共为112户科技型企业提供贷款36.46亿元。",
     "截至目前，创新积分贷产品为一百一十二户科技型企业提供贷款364,600万元。"),
    ("另外在导报刊用信息7条，导报网站发布信息14条。",
     "另外在导报刊用信息七条，导报网站发布信息共十四条。"),
    ("对截至2023年上半年626宗土地，计1869.3万平方米科研用地使用情况进行分析统计。",
     "对截至2023年上半年六百二十六宗土地，共计1,869.3万平方米科研用地使用情况进行分析统计。"),
    ("其中初创期326家、成长期250家、稳定期470家。",
     "初创期、成长期、稳定期分别为326家、250家和470家。"),
    ("配合高新区管理处赴8家省级以上高新区现场核查。",
     "配合高新区管理处赴八家省级以上高新区现场核查。"),
]


@pytest.mark.parametrize(("original", "paraphrase"), PERFORMANCE_PARAPHRASES,
                         ids=[p[0][:10] for p in PERFORMANCE_PARAPHRASES])
def test_paraphrased_achievements_land_as_the_same_performance_facts(original, paraphrase):
    expected = measured_by_key(facts_of(ACHIEVEMENTS, original))
    assert expected and all(key.startswith("performance:") for key in expected)
    assert measured_by_key(facts_of(ACHIEVEMENTS, paraphrase)) == expected


def test_generic_prefix_follows_the_section():
    facts = facts_of(
        "一、部门（单位）概况", "推进全市15个园区的火炬统计体系建设。",
        "（三）部门（单位）绩效目标", "组织区内近10000家企业完成数据填报。",
        ACHIEVEMENTS, "全年组织培训9874家园区企业。")
    assert [fact.fact_key.split(":")[0] for fact in facts] == ["figure", "target", "performance"]
    assert facts[1].value_raw == "10000" and "近10000家" in facts[1].sentence


def test_keys_do_not_move_when_a_sentence_is_added_and_repeats_are_numbered():
    before = facts_of(ACHIEVEMENTS, "导报刊用信息7条。分别刊于第56期、第85期和第115期。")
    after = facts_of(ACHIEVEMENTS, "新增一段：发布简讯3篇。导报刊用信息7条。分别刊于第56期、第85期和第115期。")
    assert [f.fact_key for f in before] == [f.fact_key for f in after][1:]
    assert [f.fact_key for f in before][1:] == [
        "performance:刊于", "performance:刊于#2", "performance:刊于#3"]


@pytest.mark.parametrize(("sentence", "keys"), [
    ("本年度收入567.37万元，同比增长5%，其中事业收入7.4万元。",
     ["income_total", "income_total_increase_pct", "income_business"]),
    ("三公经费较上年减少0.12万元，下降17.9%。", ["three_public_total_decrease", "three_public_total_decrease_pct"]),
    ("部门预算执行率为98.5%，较上年提高2个百分点。", ["budget_execution_rate", "budget_execution_rate_increase_pct"]),
    ("一般公共预算财政拨款收入559.87万元，占比98.68%。", ["income_general_budget", "income_general_budget_share"]),
    ("本部门年初预算收入570.57万元，年初预算支出570.57万元。", ["budget_initial_income", "budget_initial_expenditure"]),
    ("资产合计1000万元，负债200万元，净资产800万元。", ["assets_total", "liabilities_total", "net_assets"]),
    ("“三公”经费支出合计0.55万元，公务用车购置费0元。", ["three_public_total", "three_public_vehicle_purchase"]),
])
def test_derived_and_neighbouring_figures_get_their_own_keys(sentence, keys):
    assert [fact.fact_key for fact in facts_of(sentence)] == keys


def test_grade_needs_a_whole_word():
    assert facts_of("评价结论为优化资源配置提供依据。") == []
    assert [f.value_raw for f in facts_of("自评结果为良好，等级为“良”。")] == ["良好"]


def test_variance_explanations_are_not_second_income_lines():
    facts = by_key(facts_of("本年度收入567.37万元，其中事业收入7.4万元。差异数中事业收入7.4万元。"))
    assert set(facts) == {"income_total", "income_business", "budget_variance_income_business"}


def test_words_that_look_like_numbers_are_not_figures():
    assert facts_of("统一大市场背景下，一年来开展三公经费专项检查，学习党的二十大精神，为期3个月，"
                    "高新区一区多园建设，2023年一季度。") == []


# --- parse_number ---------------------------------------------------------------------------

_DIGITS = "零一二三四五六七八九"


def to_chinese(number: int, short_ten: bool) -> str:
    """Write 0 ≤ number < 10¹² in Chinese numerals ('一百零五', '十二' or '一十二')."""
    if number == 0:
        return "零"

    def group(value: int) -> str:
        text, zero = "", False
        for size, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            digit = value // size % 10
            if digit == 0:
                zero = bool(text)
                continue
            text += ("零" if zero else "") + _DIGITS[digit] + name
            zero = False
        return text

    text, gap = "", False
    for value, unit in ((number // 10**8, "亿"), (number // 10**4 % 10**4, "万"), (number % 10**4, "")):
        if value == 0:
            gap = bool(text)
            continue
        text += ("零" if text and (gap or value < 1000) else "") + group(value) + unit
        gap = False
    return text[1:] if short_ten and text.startswith("一十") else text


@given(st.integers(min_value=0, max_value=10**12 - 1), st.booleans())
def test_parse_number_reads_chinese_numerals(number, short_ten):
    assert parse_number(to_chinese(number, short_ten)) == number


@given(st.integers(min_value=0, max_value=10**15))
def test_parse_number_reads_arabic_with_and_without_thousands_separators(number):
    assert parse_number(f"{number:,}") == parse_number(str(number)) == number


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_parse_number_keeps_decimals_exact(amount):
    assert parse_number(f"{amount:,f}") == amount


@given(st.integers(min_value=1, max_value=10**9 - 1), st.sampled_from(["家", "人", "个", "条", "户", "项"]))
def test_printed_counts_read_back_whichever_way_they_are_written(number, unit):
    for written in (str(number), f"{number:,}", to_chinese(number, True)):
        (fact,) = facts_of(ACHIEVEMENTS, f"全年服务企业共{written}{unit}，取得成效。")
        assert (parse_number(fact.value_raw), fact.unit_raw) == (number, unit), written


@pytest.mark.parametrize(("value_raw", "number"), [
    ("两", 2), ("二十", 20), ("十二", 12), ("一百零五", 105), ("两千", 2000), ("一九九一", 1991),
    ("1.2万", 12000), ("一点五", Decimal("1.5")), ("〇", 0), ("无", 0),
])
def test_parse_number_examples(value_raw, number):
    assert parse_number(value_raw) == number


@pytest.mark.parametrize("value_raw", ["优", "", "5,97", "1,2345", "万", "十点", "1.2.3"])
def test_parse_number_refuses_what_is_not_a_number(value_raw):
    assert parse_number(value_raw) is None


_PROSE = st.text(alphabet="本年度收入支出其中占总分别为较增长无会议费三公经费编制人实有家个条%％万元亿一二两十百零"
                          "0123456789.,，、。；“”（）(境)优结论自评得", max_size=60)


@given(st.lists(_PROSE, max_size=4))
def test_any_prose_reads_without_error_and_quotes_its_figures(lines):
    facts = facts_of(*lines)
    assert len({fact.fact_key for fact in facts}) == len(facts)
    for fact in facts:
        assert fact.sentence in lines[fact.source_line - 1]
        assert fact.value_raw in fact.sentence.replace("“", "").replace("”", "")
