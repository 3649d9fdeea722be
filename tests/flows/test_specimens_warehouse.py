"""The specimens of other provinces' templates (tests/fixtures/specimens) through the real flow,
one full build with every dbt test: the night succeeds, the forms that state their year land
with their values parsed and their amounts in 万元 whatever the printed unit, a self-evaluation
table gives its row in mart_self_evaluation, and a form that states no year is dropped by the
staging gate with an `extraction_issues` row naming it (the other forms of its file land)."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from flows.load import run_load

SPECIMENS = Path(__file__).resolve().parents[1] / "fixtures" / "specimens"
NO_YEAR = ("daying_sfj_2023_project_selfeval_FRAGMENT.txt", "daying_wage_selfeval_tail_FRAGMENT.txt",
           "ningde_rencaiyizhan_2023_project_selfeval_TRADCHARS_FRAGMENT.txt")


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, object]:
    root = tmp_path_factory.mktemp("specimens")
    inbox = root / "inbox"
    inbox.mkdir()
    for path in SPECIMENS.glob("*.txt"):
        shutil.copy(path, inbox / path.name)
    result = run_load(inbox, root / "warehouse")
    return root / "warehouse" / "perfbudget.duckdb", result


def query(database: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, params).fetchall()


def test_the_night_succeeds_and_drops_only_the_forms_with_no_year(published):
    database, result = published
    assert result.run.status == "success"
    assert sorted(result.extraction.quarantined) == sorted(NO_YEAR)
    errors = query(database, "select source_file, issue_code from staging.stg_perfbudget__extraction_issues "
                             "where severity = 'error' order by source_file")
    assert errors == [(name, "failed_check") for name in NO_YEAR]
    forms = query(database,
                  "select source_file, doc_type, fiscal_year from dim_document order by source_file, part_seq")
    assert ("daying_sfj_2023_project_selfeval_FRAGMENT.txt", "project_self_eval", 2023) in forms
    assert {name for name, _, _ in forms} >= {
        "langfang_food_school_2019_project_selfeval.txt", "jingyan_mata_2023_multi_project_target_FRAGMENT.txt",
        "dongguan_jtj_road_2019_project_target_FRAGMENT.txt",
        "shanghai_putuo_cgj_chaiwei_2026_project_target_PDFTEXT.txt"}


def test_amounts_printed_in_yuan_are_in_wan(published):
    database, _ = published
    rows = dict(query(database, """
        select f.label_raw, f.amount_wan from fact_budget_line as f join dim_document as d using (document_key)
        where d.source_file like 'shanghai%' and f.phase = 'annual_budget'"""))
    assert rows["年度资金申请总额"] == Decimal("349.8")  # 3,498,000.00 元
    (project,) = query(database, """
        select f.amount_raw, f.amount_wan from fact_budget_line as f join dim_document as d using (document_key)
        where d.project_name = '村组干部报酬'""")
    assert project == ("3,309,840.00", Decimal("330.984"))


def test_split_values_weights_and_directions_reach_fact_indicator(published):
    database, _ = published
    (row,) = query(database, """
        select full_year_raw, full_year_comparator, full_year_value_num, full_year_uom, weight, direction_declared,
               level1, level2
        from fact_indicator where indicator_name = '维护社会稳定'""")
    assert row == ("≥95%", ">=", Decimal("95"), "%", Decimal("10"), "正向指标", "效益指标", "社会效益指标")


def test_mid_term_and_annual_targets_side_by_side(published):
    database, _ = published
    rows = query(database, """
        select mid_term_raw, full_year_raw from fact_indicator as f join dim_document as d using (document_key)
        where d.source_file like 'dongguan%' and (mid_term_raw is not null or full_year_raw is not null)""")
    assert rows and any(mid is not None for mid, _ in rows) and any(full is not None for _, full in rows)


def test_a_self_evaluation_table_is_summed_up_as_a_reviewer_would(published):
    database, _ = published
    (row,) = query(database, """
        select total_line_label, initial_budget_wan, annual_budget_wan, executed_wan, execution_rate_pct,
               execution_rate_printed, is_rate_consistent, budget_weight, budget_score, n_indicators,
               n_met, n_not_met, indicator_weight_total, indicator_score_total, score_total, n_scores_above_weight
        from mart_self_evaluation where source_file like 'langfang%'""")
    assert row == ("年度资金总额", Decimal("43.2"), Decimal("43.2"), Decimal("37.24"), Decimal("86.2"), "86%", True,
                   Decimal("10"), Decimal("9"), 9, 8, 1, Decimal("90"), Decimal("89"), Decimal("98"), 0)
    actuals = query(database, """
        select target_status, count(*) from intermediate.int_self_eval_targets as t
        join dim_document as d using (document_key) where d.source_file like 'langfang%' group by 1 order by 1""")
    assert actuals == [("met", 8), ("not_met", 1)]
