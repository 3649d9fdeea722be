-- Analyst questions on the perfbudget warehouse. Plain SQL (no jinja): run each block with
--   duckdb -readonly data/warehouse/perfbudget.duckdb
-- Each question is one block starting with a `-- name:` line; amounts are in 万元.

-- name: unit_total_funds_and_sources
-- How much does each unit get, and from which sources? (blank stays NULL, never 0; final_income_wan = 决算)
select
    unit_name,
    fiscal_year,
    n_forms,
    total_funds_wan,
    fiscal_appropriation_wan,
    general_public_budget_wan,
    government_fund_wan,
    state_capital_wan,
    social_insurance_wan,
    carry_over_wan,
    other_funds_wan,
    final_income_wan
from mart_unit_budget_summary
order by total_funds_wan desc nulls last, unit_name;

-- name: unit_basic_vs_project_spending
-- How is each unit's spending split between basic (staff, running costs) and project spending?
select
    unit_name,
    fiscal_year,
    basic_expenditure_wan,
    project_expenditure_wan,
    basic_expenditure_share_pct,
    half_year_plan_wan
from mart_unit_budget_summary
where basic_expenditure_wan is not null or project_expenditure_wan is not null
order by unit_name;

-- name: funding_sums_that_do_not_add_up
-- Do the funding sums add up? Every check that fails or cannot be checked because amounts are blank.
select
    source_file,
    unit_name,
    project_name,
    check_code,
    check_name_en,
    lhs_value,
    rhs_value,
    difference,
    status
from mart_budget_reconciliation
where status in ('fail', 'unknowable')
order by status, source_file, check_code;

-- name: projects_without_cost_indicator
-- Which projects with a target form have no cost indicator (成本指标)?
select
    unit_name,
    project_name,
    fiscal_year,
    total_funds_wan,
    n_indicators,
    missing_core_dimensions
from mart_project_scorecard
where source = 'target_table'
  and not has_cost_indicator
order by total_funds_wan desc nulls last;

-- name: projects_with_only_vague_benefit_targets
-- Which projects state their benefits (效益指标) only as vague words such as 较高 or 提升?
select
    unit_name,
    project_name,
    n_benefit,
    n_vague,
    vague_values,
    share_quantitative_targets
from mart_project_scorecard
where has_only_vague_benefits
order by share_quantitative_targets, project_name;

-- name: half_year_targets_vs_spending_plan
-- Are the half-year 预算执行率 targets consistent with the half-year spending plan?
select
    project_name,
    half_year_plan_wan,
    annual_expenditure_wan,
    total_funds_wan,
    half_year_rate_target_raw,
    half_year_plan_share_pct,
    half_year_rate_difference_pct,
    half_year_rate_status
from mart_project_scorecard
where half_year_rate_status <> 'not_applicable'
order by abs(half_year_rate_difference_pct) desc, project_name;

-- name: quantitative_targets_by_unit_of_measure
-- What do the quantitative full-year targets count, and how ambitious are they?
select
    full_year_uom,
    full_year_uom_kind,
    full_year_comparator,
    count(*) as n_targets,
    min(full_year_value_num) as min_value,
    max(full_year_value_num) as max_value
from fact_indicator
where full_year_value_kind = 'quantitative'
group by full_year_uom, full_year_uom_kind, full_year_comparator
order by n_targets desc, full_year_uom, full_year_comparator;

-- name: data_quality_overview
-- What should a data steward look at first? Findings by severity and code.
select
    severity,
    finding_source,
    finding_code,
    count(*) as n_findings,
    min(source_file) as first_file
from mart_data_quality
group by severity, finding_source, finding_code
order by case severity when 'error' then 1 when 'warning' then 2 else 3 end, n_findings desc, finding_code;

-- name: self_evaluation_budget_execution
-- Self-evaluation: how much of its initial budget did each unit spend (决算 vs 年初预算), which grade did it give itself, how big is it (staff, assets), and what did its target table budget where there is one?
select
    execution.unit_name,
    execution.fiscal_year,
    execution.evaluation_grade,
    execution.initial_budget_wan,
    execution.final_income_wan,
    execution.final_expenditure_wan,
    execution.execution_rate_pct,
    execution.unspent_budget_wan,
    execution.target_total_funds_wan,
    profile.staff_authorized,
    profile.staff_actual,
    profile.internal_departments,
    profile.assets_total_wan
from mart_budget_execution as execution
left join fact_unit_profile as profile
    on profile.unit_key = execution.unit_key
    and profile.fiscal_year = execution.fiscal_year
where execution.has_self_evaluation
order by execution.fiscal_year desc, execution.unit_name;
