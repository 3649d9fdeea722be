{{ pb_incremental_by('document_key') }}

{#- the income sources with a column of their own, from seed budget_categories (macros/seed_lists.sql) -#}
{%- set sources = pb_summary_sources() -%}
-- The funding totals of one form, one row per form with amounts (categories picked by their code of
-- seed budget_categories): its annual budget by income source and expenditure, its half-year plan,
-- and a self-evaluation's initial budget and final account. Project expenditure is 项目支出 on a
-- department form and the named project lines (项目支出明细) on a project form. Shared by
-- mart_unit_budget_summary and mart_budget_execution, which sum it over a unit's latest forms.
with budget_lines as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_only('doc_id') }}
),

final as (
    select
        document_key,
        sum(case when category_code = 'total_funds' and phase = 'annual_budget' then amount_wan end) as total_funds_wan,
        {% for category_code, column in sources %}
        sum(case when category_code = '{{ category_code }}' and phase = 'annual_budget' then amount_wan end) as {{ column }},
        {% endfor %}
        sum(case when category_code = 'basic_expenditure' and phase = 'annual_budget' then amount_wan end) as basic_expenditure_wan,
        sum(case when category_code = 'project_expenditure' and phase = 'annual_budget' then amount_wan end) as project_expenditure_total_wan,
        sum(case
            when phase = 'annual_budget' and category_code = 'project_expenditure' and doc_type = 'dept_target' then amount_wan
            when phase = 'annual_budget' and category_code = 'project_expenditure_line' and doc_type = 'project_target' then amount_wan
        end) as project_expenditure_wan,
        sum(case
            when phase = 'half_year_plan' and category_code in ('basic_expenditure', 'project_expenditure') and doc_type = 'dept_target' then amount_wan
            when phase = 'half_year_plan' and category_code = 'project_expenditure_line' and doc_type = 'project_target' then amount_wan
        end) as half_year_plan_wan,
        sum(case when phase = 'initial_budget' and category_code = 'initial_budget' then amount_wan end) as initial_budget_wan,
        sum(case when phase = 'final_account' and category_code = 'total_income' then amount_wan end) as final_income_wan,
        sum(case when phase = 'final_account' and category_code = 'total_expenditure' then amount_wan end) as final_expenditure_wan,
        sum(case when phase = 'final_account' and category_code = 'basic_expenditure' then amount_wan end) as final_basic_expenditure_wan,
        sum(case when phase = 'final_account' and category_code = 'project_expenditure' then amount_wan end) as final_project_expenditure_wan
    from budget_lines
    group by document_key
)

select * from final
