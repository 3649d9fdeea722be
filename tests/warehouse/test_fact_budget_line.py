"""fact_budget_line holds every gold amount with its phase, direction and canonical category."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.warehouse.conftest import rows

TARGET_FILES = ("000_17c09d71274dbf64.txt", "001_27d945da3f6b14f2.txt",
                "003_e524e1605217447e.txt", "004_39cb5bcb496eb896.txt")
SELF_EVAL = "002_51313b31403ae784.txt"
# gold category of the self-evaluation report -> warehouse category and phase
SELF_EVAL_CATEGORIES = {
    "收入合计(决算)": ("收入合计", "final_account"),
    "一般公共预算财政拨款收入(决算)": ("一般公共预算资金", "final_account"),
    "事业收入(决算)": ("事业收入", "final_account"),
    "其他收入(决算)": ("其他收入", "final_account"),
    "支出合计(决算)": ("支出合计", "final_account"),
    "基本支出(决算)": ("基本支出", "final_account"),
    "项目支出(决算)": ("项目支出", "final_account"),
    "年初收入支出预算": ("年初预算", "initial_budget"),
}


def as_amount(value) -> Decimal | None:
    return None if value is None or isinstance(value, str) else Decimal(str(value))


@pytest.fixture(scope="module")
def lines(con) -> list[dict]:
    return rows(con, """
        select d.source_file, d.project_name as form_project, d.unit_name, b.*
        from fact_budget_line as b
        join dim_document as d on d.document_key = b.document_key""")


def find(lines, file_name, line, part, phase):
    matches = [row for row in lines
               if row["source_file"] == file_name and row["source_line"] == line and row["phase"] == phase
               and part in (row["form_project"], row["unit_name"])]
    assert len(matches) <= 1, (file_name, line, phase)
    return matches[0] if matches else None


def test_every_gold_amount_of_the_target_forms(gold, lines):
    checked = 0
    for file_name in TARGET_FILES:
        for gold_line in gold[file_name]["budget_lines"]:
            where = (file_name, gold_line["line"], gold_line["label_raw"])
            annual = find(lines, file_name, gold_line["line"], gold_line["document_part"], "annual_budget")
            assert annual is not None, where
            assert annual["direction"] == gold_line["direction"], where
            assert annual["category"] == gold_line["category"], where
            assert annual["label_raw"] == gold_line["label_raw"], where
            assert annual["amount_wan"] == as_amount(gold_line["full_year_amount"]), where
            assert annual["is_blank"] == (gold_line["full_year_amount"] is None), where
            half = find(lines, file_name, gold_line["line"], gold_line["document_part"], "half_year_plan")
            if gold_line["direction"] == "expenditure":
                assert half is not None, where
                assert half["amount_wan"] == as_amount(gold_line["half_year_amount"]), where
                assert half["is_schedule_paced"] == (gold_line["half_year_amount"] == "序时进度"), where
            else:
                assert half is None and gold_line["half_year_amount"] is None, where
            checked += 1
    assert checked == 158


def test_self_evaluation_amounts_are_final_account(gold, lines):
    for gold_line in gold[SELF_EVAL]["budget_lines"]:
        category, phase = SELF_EVAL_CATEGORIES[gold_line["category"]]
        found = [row for row in lines if row["source_file"] == SELF_EVAL and row["category"] == category
                 and row["phase"] == phase]
        assert len(found) == 1, gold_line
        assert found[0]["amount_wan"] == as_amount(gold_line["full_year_amount"]), gold_line


def test_004_total_funds_and_half_year_plans(con):
    (total, half) = con.execute("""
        select
            sum(case when b.category = '资金总额' and b.phase = 'annual_budget' then b.amount_wan end),
            sum(case when b.direction = 'expenditure' and b.phase = 'half_year_plan' then b.amount_wan end)
        from fact_budget_line as b
        join dim_document as d on d.document_key = b.document_key
        where d.source_file = '004_39cb5bcb496eb896.txt'""").fetchone()
    assert total == Decimal("486.02")
    assert half == Decimal("72.27")


def test_blank_full_year_expenditure_of_office_equipment_stays_blank(lines):
    office = [row for row in lines if row["form_project"] == "办公设备购置" and row["direction"] == "expenditure"]
    by_phase = {row["phase"]: row for row in office}
    assert by_phase["annual_budget"]["amount_wan"] is None
    assert by_phase["annual_budget"]["amount_raw"] is None and by_phase["annual_budget"]["is_blank"]
    assert by_phase["half_year_plan"]["amount_wan"] == Decimal("0")


def test_blank_and_zero_stay_distinct(lines):
    project_one = {row["category"]: row for row in lines
                   if row["form_project"] == "“通创荟”和科技招商经费专项" and row["phase"] == "annual_budget"}
    assert project_one["政府性基金"]["amount_wan"] is None and project_one["政府性基金"]["is_blank"]
    assert project_one["社保基金"]["amount_wan"] == Decimal("0") and not project_one["社保基金"]["is_blank"]


def test_schedule_paced_half_year_of_001_is_text_not_a_number(lines):
    (row,) = [row for row in lines if row["source_file"] == "001_27d945da3f6b14f2.txt"
              and row["phase"] == "half_year_plan"]
    assert (row["amount_raw"], row["amount_wan"], row["is_schedule_paced"]) == ("序时进度", None, True)


def test_amounts_are_decimal(con):
    (data_type,) = con.execute("""
        select data_type from information_schema.columns
        where table_name = 'fact_budget_line' and column_name = 'amount_wan'""").fetchone()
    assert data_type.startswith("DECIMAL")
