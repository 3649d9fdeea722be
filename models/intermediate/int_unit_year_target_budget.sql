-- The annual budget of a unit-year's latest target tables (部门整体 / 项目 绩效目标表): 资金总额 of
-- the department forms and of the project forms, and the department forms' 基本支出 and 项目支出.
{{ config(materialized='ephemeral') }}

with latest_totals as (
    select * from {{ ref('int_latest_document_totals') }}
),

final as (
    select
        unit_key,
        fiscal_year,
        sum(case when doc_type = 'dept_target' then total_funds_wan end) as department_total_funds_wan,
        sum(case when doc_type = 'project_target' then total_funds_wan end) as project_total_funds_wan,
        sum(case when doc_type = 'dept_target' then basic_expenditure_wan end) as target_basic_expenditure_wan,
        sum(case when doc_type = 'dept_target' then project_expenditure_total_wan end) as target_project_expenditure_wan
    from latest_totals
    where doc_type in ('dept_target', 'project_target')
    group by unit_key, fiscal_year
)

select * from final
