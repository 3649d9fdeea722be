"""Analyst marts on the samples: unit budget summary, reconciliation, project scorecard, data quality;
and on sample 001 beside a revision of it (one build of tests/warehouse/variants.py, shared with three
other modules): a project published twice in a year is scored once."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tests.warehouse.conftest import SAMPLES, rows
from tests.warehouse.variants import REVISED_FILE, SAMPLE_001, variants_build


@pytest.fixture(scope="module")
def summary(con) -> dict[str, dict]:
    return {row["unit_name"]: row for row in rows(con, "select * from mart_unit_budget_summary")}


@pytest.fixture(scope="module")
def scorecard(con) -> dict[str, dict]:
    return {row["project_name"]: row for row in rows(con, "select * from mart_project_scorecard")}


def test_unit_summary_of_000_shows_the_income_gap(summary):
    unit = summary["南京江北新区产业技术研创园管理办公室（本级）"]
    assert unit["total_funds_wan"] == Decimal("83300")
    assert unit["fiscal_appropriation_wan"] == Decimal("40000")
    assert (unit["basic_expenditure_wan"], unit["project_expenditure_wan"]) == (Decimal("4128.4"), Decimal("79171.6"))
    assert unit["half_year_plan_wan"] == Decimal("35661")
    assert (unit["i1_difference"], unit["i1_status"]) == (Decimal("43300"), "fail")
    assert (unit["i2_status"], unit["e1_status"], unit["e2_status"], unit["e2h_status"]) == ("pass",) * 4


def test_unit_summary_of_003_shows_the_unitemised_projects(summary):
    unit = summary["常州国家高新技术产业开发区（新北区）创意产业园区管理办公室（机关）"]
    assert unit["total_funds_wan"] is None
    assert (unit["e2_difference"], unit["e2_status"]) == (Decimal("250"), "fail")
    assert unit["e1_status"] == "unknowable" and unit["i1_status"] == "unknowable"


def test_unit_summary_of_004_adds_the_twelve_projects(summary):
    unit = summary["南通市科学技术局"]
    assert unit["n_project_forms"] == 12
    assert unit["total_funds_wan"] == Decimal("486.02")
    assert unit["general_public_budget_wan"] == Decimal("486.02")
    assert unit["government_fund_wan"] is None
    assert unit["social_insurance_wan"] == Decimal("0")
    assert unit["half_year_plan_wan"] == Decimal("72.27")
    assert (unit["i1_status"], unit["i2_status"], unit["e1_status"], unit["h2_status"]) == ("pass",) * 4


def test_only_the_two_known_reconciliations_fail(con):
    failing = rows(con, "select source_file, check_code, difference from mart_budget_reconciliation "
                        "where status = 'fail' order by source_file")
    assert failing == [
        {"source_file": "000_17c09d71274dbf64.txt", "check_code": "I1", "difference": Decimal("43300")},
        {"source_file": "003_e524e1605217447e.txt", "check_code": "E2", "difference": Decimal("250")},
    ]


def test_self_evaluation_final_account_reconciles(con):
    checks = dict(con.execute("""
        select check_code, status from mart_budget_reconciliation
        where source_file = '002_51313b31403ae784.txt' and check_code in ('S1', 'S2')""").fetchall())
    assert checks == {"S1": "pass", "S2": "pass"}


def test_scorecard_flags_missing_cost_and_vague_targets(scorecard):
    nantong = [row for row in scorecard.values() if row["unit_name"] == "南通市科学技术局"]
    assert len(nantong) == 12
    assert all(not row["has_cost_indicator"] for row in nantong)
    assert all("成本指标" in row["missing_core_dimensions"] for row in nantong)
    assert sum(row["has_only_vague_benefits"] for row in nantong) == 11
    industry = scorecard["南京市工业和信息化发展专项资金"]
    assert industry["missing_core_dimensions"] == "成本指标、时效指标"
    assert (industry["n_indicators"], industry["n_output"], industry["n_benefit"]) == (38, 11, 15)
    assert industry["vague_values"] == "平稳增长、提升"
    assert industry["share_quantitative"] == Decimal("0.6316")


def test_scorecard_half_year_rate_against_spending_plan(scorecard):
    network = scorecard["网络设备设施运行与维护费"]
    assert network["half_year_rate_target_pct"] == Decimal("48")
    assert network["half_year_plan_share_pct"] == Decimal("47.79")
    assert network["half_year_rate_status"] == "pass"
    office = scorecard["办公设备购置"]
    assert (office["half_year_rate_target_pct"], office["half_year_plan_share_pct"]) == (Decimal("0"), Decimal("0"))
    statuses = [row["half_year_rate_status"] for row in scorecard.values() if row["unit_name"] == "南通市科学技术局"]
    assert statuses == ["pass"] * 12
    assert scorecard["南京市工业和信息化发展专项资金"]["half_year_rate_status"] == "not_applicable"


def test_scorecard_scores_a_budget_line_project_by_its_linked_duty_rows(scorecard):
    building = scorecard["大楼运行费（2023-2025）"]
    assert (building["indicator_source"], building["n_indicators"], building["n_duty"]) == ("linked_duty_rows", 4, 4)


def test_data_quality_lists_the_reconciliation_warnings(con):
    warnings = rows(con, "select finding_code, source_file from mart_data_quality where severity = 'warning' "
                         "order by finding_code")
    assert warnings == [
        {"finding_code": "reconciliation_fail_E2", "source_file": "003_e524e1605217447e.txt"},
        {"finding_code": "reconciliation_fail_I1", "source_file": "000_17c09d71274dbf64.txt"},
    ]
    codes = {code for (code,) in con.execute("select distinct finding_code from mart_data_quality").fetchall()}
    assert {"amount_blank", "trivial_lower_bound_zero", "upper_bound_on_output_count"} <= codes


def test_data_quality_includes_extraction_issues(built_with_bad_document):
    connection = duckdb.connect(str(built_with_bad_document.database), read_only=True)
    try:
        issues = rows(connection, "select * from mart_data_quality where finding_source = 'extraction'")
        (staged,) = connection.execute("select count(*) from staging.stg_perfbudget__extraction_issues").fetchone()
        samples = [path.name for path in SAMPLES.iterdir()]
        (indicators,) = connection.execute(
            "select count(*) from fact_indicator join dim_document using (document_key) "
            "where list_contains(?, source_file)", [samples]).fetchone()
    finally:
        connection.close()
    assert staged >= 1 and len(issues) == staged
    assert any(issue["source_file"] == "999_not_a_form.txt" and issue["severity"] == "error" for issue in issues)
    assert indicators == 298  # the samples' rows all there (the inbox holds other bad items' rows too)


def test_a_project_published_twice_in_a_year_is_scored_once_on_its_latest_form(tmp_path_factory):
    """A revised publication of 001 (same project, unit and year) must not duplicate the
    scorecard's project_key nor double its indicator counts, nor the unit summary's forms and funds.
    Sample 001 and its revision are two documents of the variants' inbox (tests/warehouse/variants.py,
    one build shared with three other modules); the other documents are other units'."""
    build = variants_build(tmp_path_factory)
    connection = duckdb.connect(str(build.database), read_only=True)
    try:
        # the whole scorecard: no project of the build is scored twice
        duplicated = connection.execute(
            "select project_key from mart_project_scorecard group by 1 having count(*) > 1").fetchall()
        scored = connection.execute(
            "select n_indicators, total_funds_wan from mart_project_scorecard "
            "where project_name = '南京市工业和信息化发展专项资金'").fetchall()
        forms = connection.execute(
            "select count(*) from dim_document where title = '南京市市级项目预算绩效目标表' "
            "and source_file in (?, ?)", [SAMPLE_001, REVISED_FILE]).fetchone()
        summary = connection.execute(
            "select n_forms, n_project_forms, total_funds_wan from mart_unit_budget_summary "
            "where unit_key = (select unit_key from dim_project "
            "where project_name = '南京市工业和信息化发展专项资金' and source = 'target_table')").fetchall()
    finally:
        connection.close()
    assert duplicated == []
    assert forms == (2,)
    assert [(n, float(total)) for n, total in scored] == [(38, 25227.0)]
    # the unit's summary counts the form once too (not 2 forms, not 2 x 25227)
    assert [(n, p, float(total)) for n, p, total in summary] == [(1, 1, 25227.0)]
