-- One row per unit and fiscal year with a latest form (int_document_versions.is_latest): how many
-- forms of each type count there and which is its self-evaluation report. A form published again
-- (revised) replaces its earlier version; a form that states no year (a cut page) has no
-- unit-year to count in. Shared by mart_unit_budget_summary and mart_budget_execution.
{{ config(materialized='ephemeral') }}

with documents as (
    select * from {{ ref('int_document_versions') }}
),

latest_documents as (
    select * from documents where is_latest and fiscal_year is not null
),

final as (
    select
        unit_key,
        fiscal_year,
        count(*) as n_forms,
        sum(case when doc_type = 'dept_target' then 1 else 0 end) as n_department_forms,
        sum(case when doc_type = 'project_target' then 1 else 0 end) as n_project_forms,
        sum(case when doc_type = 'dept_self_eval' then 1 else 0 end) as n_self_evaluations,
        max(case when doc_type = 'dept_self_eval' then document_key end) as self_eval_document_key
    from latest_documents
    group by unit_key, fiscal_year
)

select * from final
