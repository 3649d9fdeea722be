"""Self-evaluation reports in the warehouse: 002's money lines in fact_budget_line, its grade in
fact_evaluation, staffing and assets in fact_unit_profile, budget execution in mart_budget_execution,
and the same numbers from paraphrased reports (other units, Chinese numerals, 元/千元/亿元, nil words).

The paraphrases are synthetic documents of a small inbox run through the extractor and a dbt build
of the models and seeds (no data tests: the session build runs those on the samples): the variants'
inbox of tests/warehouse/variants.py, one build shared with three other modules whose documents are
other units' (every query here names its unit). Its target form (sample 000 re-titled to 002's unit
and year) exercises the side-by-side join of mart_budget_execution, which the samples cannot: no
sample unit has both a target table and a self-evaluation report for the same year.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.warehouse.conftest import rows
from tests.warehouse.test_analyses import questions
from tests.warehouse.variants import MISMATCH_UNIT, PARAPHRASE_UNIT, TORCH_CENTRE, variants_build

SELF_EVAL = "002_51313b31403ae784.txt"

# warehouse category -> (direction, phase, amount_wan): the 8 money lines of 002 (gold budget_lines)
MONEY_LINES = {
    "收入合计": ("income", "final_account", Decimal("567.37")),
    "一般公共预算资金": ("income", "final_account", Decimal("559.87")),
    "事业收入": ("income", "final_account", Decimal("7.4")),
    "其他收入": ("income", "final_account", Decimal("0.1")),
    "支出合计": ("expenditure", "final_account", Decimal("563.32")),
    "基本支出": ("expenditure", "final_account", Decimal("355.21")),
    "项目支出": ("expenditure", "final_account", Decimal("208.11")),
    "年初预算": ("budget", "initial_budget", Decimal("570.57")),
}
PROFILE = {
    "staff_authorized": 20, "staff_actual": 12, "internal_departments": 4,
    "assets_total_wan": Decimal("955.65"), "assets_current_wan": Decimal("73.13"),
    "assets_noncurrent_wan": Decimal("882.52"), "assets_fixed_wan": Decimal("27.77"),
    "assets_intangible_wan": Decimal("854.75"),
}
EXECUTION_RATE = Decimal(100) * Decimal("563.32") / Decimal("570.57")


@pytest.fixture(scope="module")
def paraphrased(tmp_path_factory: pytest.TempPathFactory):
    build = variants_build(tmp_path_factory)
    connection = duckdb.connect(str(build.database), read_only=True)
    yield connection
    connection.close()


def money_lines(connection, unit_name: str) -> dict[str, dict]:
    found = rows(connection, """
        select b.category, b.direction, b.phase, b.amount_wan, b.amount_raw, b.is_stated_as_none, b.sum_role
        from fact_budget_line as b
        join dim_document as d on d.document_key = b.document_key
        where d.doc_type = 'dept_self_eval' and d.unit_name = ?""", unit_name)
    by_category = {row["category"]: row for row in found}
    assert len(by_category) == len(found), "one amount per category and report"
    return by_category


def assert_the_002_figures(connection, unit_name: str) -> None:
    lines = money_lines(connection, unit_name)
    for category, (direction, phase, amount) in MONEY_LINES.items():
        line = lines[category]
        where = (unit_name, category)
        assert (line["direction"], line["phase"], line["amount_wan"]) == (direction, phase, amount), where
    assert lines["会议费"]["amount_wan"] == 0 and lines["会议费"]["sum_role"] == "memo"
    assert lines["培训费"]["amount_wan"] == Decimal("2.12")
    assert lines["三公经费"]["amount_wan"] == Decimal("0.55")
    (profile,) = rows(connection, "select * from fact_unit_profile where unit_name = ?", unit_name)
    assert {column: profile[column] for column in PROFILE} == PROFILE, unit_name
    (execution,) = rows(connection, "select * from mart_budget_execution where unit_name = ?", unit_name)
    assert execution["execution_rate_pct"] == round(EXECUTION_RATE, 2)


# --- the sample report 002 -------------------------------------------------------------------------

def test_the_8_money_lines_of_002_with_phase_direction_and_shared_category(con):
    lines = money_lines(con, TORCH_CENTRE)
    for category, (direction, phase, amount) in MONEY_LINES.items():
        assert (lines[category]["direction"], lines[category]["phase"], lines[category]["amount_wan"]) == (
            direction, phase, amount), category
    # the report's 基本支出 / 项目支出 / 一般公共预算 share the categories of the target tables
    shared = {row["category"] for row in rows(con, """
        select distinct category from fact_budget_line where doc_type in ('dept_target', 'project_target')""")}
    assert {"基本支出", "项目支出", "一般公共预算资金"} <= shared


def test_meeting_expense_written_none_is_0_with_the_flag(con):
    (meeting,) = rows(con, """
        select b.amount_wan, b.amount_raw, b.is_stated_as_none, b.is_blank, b.is_unparsed
        from fact_budget_line as b
        join dim_document as d on d.document_key = b.document_key
        where d.source_file = ? and b.category = '会议费'""", SELF_EVAL)
    assert meeting == {"amount_wan": Decimal("0"), "amount_raw": "无", "is_stated_as_none": True,
                       "is_blank": False, "is_unparsed": False}
    (parsed,) = rows(con, """
        select value_num, is_nil_word, amount_wan from intermediate.int_report_facts_parsed
        where fact_key = 'meeting_expense'""")
    assert parsed == {"value_num": Decimal("0"), "is_nil_word": True, "amount_wan": Decimal("0")}
    assert con.execute("""
        select count(*) from fact_budget_line where is_stated_as_none and category <> '会议费'""").fetchone() == (0,)


def test_fact_evaluation_grade_of_002(con):
    (evaluation,) = rows(con, "select * from fact_evaluation")
    assert (evaluation["unit_name"], evaluation["fiscal_year"], evaluation["grade_raw"], evaluation["grade"]) == (
        TORCH_CENTRE, 2023, "优", "优")
    assert evaluation["score"] is None and evaluation["source_file"] == SELF_EVAL
    (document,) = rows(con, "select doc_type from dim_document where document_key = ?", evaluation["document_key"])
    assert document["doc_type"] == "dept_self_eval"


def test_fact_unit_profile_of_002(con):
    (profile,) = rows(con, "select * from fact_unit_profile")
    assert (profile["unit_name"], profile["fiscal_year"]) == (TORCH_CENTRE, 2023)
    assert {column: profile[column] for column in PROFILE} == PROFILE


def test_mart_budget_execution_of_002(con):
    (execution,) = rows(con, "select * from mart_budget_execution where has_self_evaluation")
    assert (execution["unit_name"], execution["fiscal_year"]) == (TORCH_CENTRE, 2023)
    assert (execution["initial_budget_wan"], execution["final_income_wan"], execution["final_expenditure_wan"]) == (
        Decimal("570.57"), Decimal("567.37"), Decimal("563.32"))
    assert abs(execution["execution_rate_pct"] - EXECUTION_RATE) < Decimal("0.005")
    assert execution["unspent_budget_wan"] == Decimal("7.25")
    assert execution["evaluation_grade"] == "优"
    assert not execution["has_target_table"] and execution["target_total_funds_wan"] is None


def test_no_report_figure_is_left_unparsed(con):
    assert rows(con, """
        select fact_key, value_raw from intermediate.int_report_facts_parsed where is_unparsed""") == []


# --- paraphrased reports through the extractor and the build ---------------------------------------

def test_paraphrase_with_chinese_numerals_and_yuan_gives_the_002_figures(paraphrased):
    assert_the_002_figures(paraphrased, TORCH_CENTRE)
    lines = money_lines(paraphrased, TORCH_CENTRE)
    assert (lines["支出合计"]["amount_raw"], lines["基本支出"]["amount_raw"], lines["收入合计"]["amount_raw"]) == (
        "0.056332", "3,552.1", "5,673,700")
    assert (lines["会议费"]["amount_raw"], lines["会议费"]["is_stated_as_none"]) == ("未发生", True)


def test_paraphrase_of_another_unit_gives_the_002_figures(paraphrased):
    assert_the_002_figures(paraphrased, PARAPHRASE_UNIT)
    meeting = money_lines(paraphrased, PARAPHRASE_UNIT)["会议费"]
    assert (meeting["amount_raw"], meeting["amount_wan"], meeting["is_stated_as_none"]) == ("零", 0, False)


def test_paraphrased_counts_with_multipliers_and_chinese_numerals(paraphrased):
    found = {row["value_raw"]: row["value_num"] for row in rows(paraphrased, """
        select value_raw, value_num from intermediate.int_report_facts_parsed
        where unit_name = ? and base_fact_key like 'performance:%'""", PARAPHRASE_UNIT)}
    assert found == {"1.2万": Decimal("12000"), "一百零五": Decimal("105")}
    staff = {row["value_raw"] for row in rows(paraphrased, """
        select value_raw from intermediate.int_report_facts_parsed
        where unit_name = ?
          and fact_key in ('staff_authorized', 'staff_actual', 'internal_departments')""", TORCH_CENTRE)}
    assert staff == {"二十", "十二", "四"}


def test_long_grade_and_score(paraphrased):
    evaluations = {row["unit_name"]: row for row in rows(
        paraphrased, "select * from fact_evaluation where unit_name in (?, ?, ?)",
        TORCH_CENTRE, PARAPHRASE_UNIT, MISMATCH_UNIT)}
    assert (evaluations[TORCH_CENTRE]["grade"], evaluations[TORCH_CENTRE]["score"]) == ("优", None)
    other = evaluations[PARAPHRASE_UNIT]
    assert (other["grade_raw"], other["grade"], other["score"], other["score_band_grade"]) == (
        "优秀", "优", Decimal("92"), "优")
    assert other["is_grade_consistent_with_score"] is True
    mismatch = evaluations[MISMATCH_UNIT]
    assert (mismatch["grade"], mismatch["score"], mismatch["score_band_grade"]) == ("优", Decimal("85"), "良")
    assert mismatch["is_grade_consistent_with_score"] is False


def test_chinese_numeral_money_of_a_short_report(paraphrased):
    lines = money_lines(paraphrased, MISMATCH_UNIT)
    assert (lines["收入合计"]["amount_raw"], lines["收入合计"]["amount_wan"]) == ("一百二十", Decimal("120"))
    assert (lines["支出合计"]["amount_raw"], lines["支出合计"]["amount_wan"]) == ("一百零五", Decimal("105"))


def test_target_table_and_self_evaluation_side_by_side(paraphrased):
    (both,) = rows(paraphrased, "select * from mart_budget_execution where unit_name = ?", TORCH_CENTRE)
    assert both["has_self_evaluation"] and both["has_target_table"]
    assert (both["target_total_funds_wan"], both["target_basic_expenditure_wan"],
            both["target_project_expenditure_wan"]) == (Decimal("83300"), Decimal("4128.4"), Decimal("79171.6"))
    assert (both["initial_budget_wan"], both["final_expenditure_wan"]) == (Decimal("570.57"), Decimal("563.32"))
    assert both["target_execution_rate_pct"] == round(Decimal(100) * Decimal("563.32") / Decimal("83300"), 2)
    assert both["target_minus_initial_budget_wan"] == Decimal("83300") - Decimal("570.57")
    (alone,) = rows(paraphrased, "select * from mart_budget_execution where unit_name = ?", PARAPHRASE_UNIT)
    assert not alone["has_target_table"] and alone["target_total_funds_wan"] is None


def test_self_evaluation_question_answers_with_the_002_figures(con):
    (answer,) = con.execute(questions()["self_evaluation_budget_execution"]).fetchall()
    assert answer == (TORCH_CENTRE, 2023, "优", Decimal("570.57"), Decimal("567.37"), Decimal("563.32"),
                      Decimal("98.73"), Decimal("7.25"), None, 20, 12, 4, Decimal("955.65"))
