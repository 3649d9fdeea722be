-- One row per project with budget lines on its latest target forms (project and department
-- forms; int_document_versions.is_latest): its 资金总额 and its expenditure of the annual budget
-- and of the half-year plan.
{{ config(materialized='ephemeral') }}

with budget_lines as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_units_only('unit_key', feeds='mart_project_scorecard') }}
),

documents as (
    select * from {{ ref('int_document_versions') }}{{ pb_changed_units_only('unit_key', feeds='mart_project_scorecard') }}
),

latest_documents as (
    select document_key from documents where is_latest
),

final as (
    select
        project_key,
        sum(case when category_code = 'total_funds' and phase = 'annual_budget' then amount_wan end) as total_funds_wan,
        sum(case when direction = 'expenditure' and phase = 'annual_budget' then amount_wan end) as annual_expenditure_wan,
        sum(case when direction = 'expenditure' and phase = 'half_year_plan' then amount_wan end) as half_year_plan_wan
    from budget_lines
    inner join latest_documents
        on latest_documents.document_key = budget_lines.document_key
    where budget_lines.project_key is not null
      and budget_lines.doc_type in ('project_target', 'dept_target')
    group by project_key
)

select * from final
