"""The specimens of other provinces' templates (tests/fixtures/specimens) through the real flow,
with every dbt test: the night succeeds, every form lands with its values parsed and its amounts
in 万元 whatever the printed unit, a self-evaluation table gives its row in mart_self_evaluation,
and a form that states no year (a cut page) lands with a null fiscal_year and a
`missing_fiscal_year` warning: doubt is a warning, not a quarantine.

The specimens and the totals form (tests/flows/bad_inbox.py) are files of the bad inbox, whose
load once per test run (tests.shared_builds.bad_samples) these tests read: one load serves them
and test_bad_documents.py instead of two, as each full load costs ~25 s of the test run's CPU.
Every query here is scoped to the specimens' files (`source_file in SPECIMENS_SQL`, or a file
name pattern only a specimen matches) so the samples and bad items beside them cannot change a
result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from tests.flows.bad_inbox import SPECIMEN_NAMES, TOTALS_FORM, TOTALS_FORM_NAME
from tests.shared_builds import bad_samples

NO_YEAR = ("daying_sfj_2023_project_selfeval_FRAGMENT.txt", "daying_wage_selfeval_tail_FRAGMENT.txt",
           "ningde_rencaiyizhan_2023_project_selfeval_TRADCHARS_FRAGMENT.txt")
# `source_file in SPECIMENS_SQL`: the specimens' rows only, not the samples' nor the bad items'
SPECIMENS_SQL = "(" + ", ".join(f"'{name}'" for name in SPECIMEN_NAMES) + ")"


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, object]:
    """The bad inbox's shared load (the specimens are among its files): its published file and result."""
    site, result, _ = bad_samples(tmp_path_factory)
    return site.published, result


def query(database: Path, sql: str, *params) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, params).fetchall()


def test_the_night_succeeds_and_every_form_lands(published):
    database, result = published
    assert result.run.status == "success"
    assert [name for name in result.extraction.quarantined if name in SPECIMEN_NAMES] == []  # no specimen
    errors = query(database, "select source_file, issue_code from staging.stg_perfbudget__extraction_issues "
                             f"where severity = 'error' and source_file in {SPECIMENS_SQL} order by source_file")
    assert errors == []
    forms = query(database, "select source_file, doc_type, fiscal_year from dim_document "
                            f"where source_file in {SPECIMENS_SQL} order by source_file, part_seq")
    assert ("daying_sfj_2023_project_selfeval_FRAGMENT.txt", "project_self_eval", 2023) in forms
    assert {name for name, _, _ in forms} == {
        *NO_YEAR, "langfang_food_school_2019_project_selfeval.txt",
        "jingyan_mata_2023_multi_project_target_FRAGMENT.txt",
        "dongguan_jtj_road_2019_project_target_FRAGMENT.txt", TOTALS_FORM_NAME,
        "shanghai_putuo_cgj_chaiwei_2026_project_target_PDFTEXT.txt",
        "shanghai_putuo_cgj_chaiwei_2026_project_target_TABLEGRID.json"}


def test_forms_that_state_no_year_land_with_a_warning(published):
    """The cut pages (the end of a 大英 form, the wage table's tail, 宁德's page) name no year: their
    rows are in the warehouse with fiscal_year null, and each form has its warning."""
    database, _ = published
    no_year = query(database, f"""
        select d.source_file, count(f.indicator_key) from dim_document as d
        left join fact_indicator as f using (document_key)
        where d.fiscal_year is null and d.source_file in {SPECIMENS_SQL} group by 1 order by 1""")
    assert no_year == [("daying_sfj_2023_project_selfeval_FRAGMENT.txt", 1),
                       ("daying_wage_selfeval_tail_FRAGMENT.txt", 4),
                       ("ningde_rencaiyizhan_2023_project_selfeval_TRADCHARS_FRAGMENT.txt", 5)]
    warned = query(database, f"""
        select distinct source_file from staging.stg_perfbudget__extraction_issues
        where issue_code = 'missing_fiscal_year' and source_file in {SPECIMENS_SQL} order by 1""")
    assert warned == [(name,) for name in sorted(NO_YEAR)]
    rates = query(database, """
        select indicator_name, full_year_raw, actual_raw, completion_rate_pct from fact_indicator as f
        join dim_document as d using (document_key) where d.source_file like 'ningde%' order by indicator_seq""")
    assert rates[1] == ("當年人才驛站組織活動數量", ">=28次", "40次", Decimal("143"))
    assert [row[3] for row in rates] == [Decimal("0"), Decimal("143"), Decimal("340"), Decimal("103"), Decimal("100")]
    funding = query(database, """
        select f.label_raw, f.category, f.phase, f.amount_wan from fact_budget_line as f
        join dim_document as d using (document_key) where d.source_file like 'ningde%'""")
    assert funding == [("累計安排資金", "资金总额", "project_total", Decimal("10"))]  # stated in its prose


def test_amounts_printed_in_yuan_are_in_wan(published):
    database, _ = published
    rows = dict(query(database, """
        select f.label_raw, f.amount_wan from fact_budget_line as f join dim_document as d using (document_key)
        where d.source_file like 'shanghai%' and f.phase = 'annual_budget'"""))
    assert rows["年度资金申请总额"] == Decimal("349.8")  # 3,498,000.00 元
    grid = query(database, """
        select f.label_raw, f.phase, f.amount_wan from fact_budget_line as f join dim_document as d using (document_key)
        where d.source_file like '%TABLEGRID.json' and f.direction = 'income' and f.parent_label_raw is null
        order by f.line_seq""")
    assert grid == [("项目资金总额", "project_total", Decimal("1030.8")),
                    ("年度资金申请总额", "annual_budget", Decimal("349.8"))]
    (project,) = query(database, f"""
        select f.amount_raw, f.amount_wan from fact_budget_line as f join dim_document as d using (document_key)
        where d.project_name = '村组干部报酬' and d.source_file in {SPECIMENS_SQL}""")
    assert project == ("3,309,840.00", Decimal("330.984"))


def test_split_values_weights_and_directions_reach_fact_indicator(published):
    database, _ = published
    (row,) = query(database, f"""
        select f.full_year_raw, f.full_year_comparator, f.full_year_value_num, f.full_year_uom, f.weight,
               f.direction_declared, f.level1, f.level2
        from fact_indicator as f join dim_document as d using (document_key)
        where f.indicator_name = '维护社会稳定' and d.source_file in {SPECIMENS_SQL}""")
    assert row == ("≥95%", ">=", Decimal("95"), "%", Decimal("10"), "正向指标", "效益指标", "社会效益指标")


def test_mid_term_and_annual_targets_side_by_side(published):
    """东莞 prints a 中期 (2019–2021) and a 年度 column set: each printed row lands once per
    period, its value parsed in that period's columns and the other period's left null."""
    database, _ = published
    rows = query(database, """
        select f.level1, f.level2, f.indicator_name, f.mid_term_raw, f.mid_term_comparator, f.mid_term_value_num,
               f.mid_term_uom, f.mid_term_value_kind, f.full_year_raw, f.full_year_comparator,
               f.full_year_value_num, f.full_year_uom, f.full_year_value_kind
        from fact_indicator as f join dim_document as d using (document_key)
        where d.source_file like 'dongguan%' order by f.indicator_seq""")
    empty = (None, None, None, None, None)
    expected = [
        ("产出指标", "数量指标", "镇街补助款完成结算项目数", ("3", None, Decimal("3"), None, "quantitative")),
        ("产出指标", "质量指标", "补助款结算误差率", ("±3%以内", "±", Decimal("3"), "%", "quantitative")),
        ("产出指标", "时效指标", "结算款支付及时性", ("及时", None, None, None, "qualitative")),
        ("产出指标", "成本指标", "年度预算执行率", ("≥90%", ">=", Decimal("90"), "%", "quantitative")),
        ("效益指标", "社会经济生态效益指标", "补助款结算争议率", ("0%", None, Decimal("0"), "%", "quantitative")),
        ("效益指标", "可持续影响指标", "实现建设总目标控制程度", (None, None, None, None, "empty")),
    ]
    assert rows == [row for level1, level2, name, value in expected
                    for row in ((level1, level2, name, *value, *empty), (level1, level2, name, *empty, *value))]
    (unit,) = query(database, "select unit_name from dim_document where source_file like 'dongguan%'")
    assert unit == ("东莞市交通运输局",)


def test_a_self_evaluated_project_is_a_project(published):
    """A 项目支出绩效自评表 names its project: the project is in dim_project (source
    self_eval_table when no target form of it is in the inbox) and mart_self_evaluation and
    fact_budget_line carry its key."""
    database, _ = published
    rows = query(database, f"""
        select p.project_name, p.source, count(distinct f.line_seq)
        from mart_self_evaluation as m
        join dim_project as p using (project_key)
        join fact_budget_line as f on f.project_key = m.project_key
        join dim_document as d on d.document_key = f.document_key
        where m.source_file in {SPECIMENS_SQL} and d.source_file in {SPECIMENS_SQL}
        group by 1, 2 order by 1""")
    # 大英: 总额, 其中:财政资金, 财政专户管理资金, 单位资金, 其他资金; 廊坊: 年度资金总额, 其中:当年财政拨款
    assert rows == [("51092324T000010263357-2023年全县安可替代补助资金项目", "self_eval_table", 5),
                    ("办公宿舍楼、食堂及餐厅暖通改造经费", "self_eval_table", 2),
                    ("办公设备购置项目", "self_eval_table", 1)]


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


def test_printed_totals_and_announced_points_are_checked(published):
    """The reviewer's sums: weights and scores (indicators plus the budget line) against the
    printed 合计 row, and each level-1 group's weights against the points its label announces."""
    database, _ = published
    (row,) = query(database, f"""
        select indicator_weight_total, budget_weight, printed_total_weight, is_weight_total_consistent,
               indicator_score_total, budget_score, printed_total_score, is_score_total_consistent,
               n_announced_groups, n_groups_off_points, execution_rate_pct, is_rate_consistent
        from mart_self_evaluation where project_name = '办公设备购置项目' and source_file in {SPECIMENS_SQL}""")
    assert row == (Decimal("90"), Decimal("10"), Decimal("100"), True, Decimal("88"), Decimal("9"), Decimal("97"), True,
                   3, 1, Decimal("90"), True)
    (langfang,) = query(database, """
        select printed_total_weight, is_weight_total_consistent, n_announced_groups
        from mart_self_evaluation where source_file like 'langfang%'""")
    assert langfang == (None, None, 0)  # prints no total row and no points on its labels


def test_completion_rates_reach_fact_indicator(published):
    """A 完成率 column (kind completion_rate) lands beside the target and the actual."""
    database, _ = published
    rows = query(database, f"""
        select indicator_name, full_year_raw, actual_raw, completion_rate_raw, completion_rate_pct
        from fact_indicator as f join dim_document as d using (document_key)
        where d.project_name = '办公设备购置项目' and d.source_file in {SPECIMENS_SQL} order by indicator_seq""")
    assert rows == [("购置设备数量", "≥13台", "13", "100%", Decimal("100")),
                    ("验收合格率", "=100%", "100", "100%", Decimal("100")),
                    ("办公效率", "定性提升", "提升", None, None),
                    ("使用人员满意度", "≥90%", "95", "105.6%", Decimal("105.6"))]


def test_a_department_wide_self_evaluation_table_is_dept_self_eval():
    """The same table under a 部门整体 title and a 单位名称 is the unit's own self-evaluation
    (dept_self_eval), read like a project's: rows, printed totals and its funding line."""
    from extract.pipeline import extract_file

    text = (TOTALS_FORM.replace("部门预算项目支出绩效自评表(2023年度)", "部门整体支出绩效自评表(2023年度)")
            .replace("项目名称 | 办公设备购置项目", "单位名称 | 大英县司法局"))
    result = extract_file("dept_selfeval.txt", text.encode("utf-8"))
    (doc,) = result.documents
    assert (doc.doc_type, doc.unit_name, doc.fiscal_year, doc.project_name) == (
        "dept_self_eval", "大英县司法局", "2023", "")
    assert [i.level3_raw for i in result.indicators] == ["购置设备数量", "验收合格率", "办公效率", "使用人员满意度"]
    assert [(f.fact_key, f.value_raw) for f in result.report_facts] == [
        ("printed_total_weight", "100"), ("printed_total_score", "97")]
    assert [(line.label_raw, line.rate_raw, line.weight_raw, line.score_raw) for line in result.budget_lines] == [
        ("总额", "90.00%", "10", "9")]
