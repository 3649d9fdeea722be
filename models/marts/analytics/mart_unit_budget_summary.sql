{#- the income sources with a column of their own and the checks, from the seeds (macros/seed_lists.sql) -#}
{%- set sources = pb_summary_sources() -%}
{%- set checks = pb_reconciliation_checks() -%}
-- One row per unit and fiscal year: the forms that count there (int_unit_years: the latest
-- version of each form), their funding totals summed and their funding checks
-- (int_unit_year_check_results).
with unit_years as (
    select * from {{ ref('int_unit_years') }}
),

latest_totals as (
    select * from {{ ref('int_latest_document_totals') }}
),

checks as (
    select * from {{ ref('int_unit_year_check_results') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

amounts as (
    select
        unit_key,
        fiscal_year,
        sum(total_funds_wan) as total_funds_wan,
        {% for category_code, column in sources %}
        sum({{ column }}) as {{ column }},
        {% endfor %}
        sum(basic_expenditure_wan) as basic_expenditure_wan,
        sum(project_expenditure_wan) as project_expenditure_wan,
        sum(half_year_plan_wan) as half_year_plan_wan,
        sum(final_income_wan) as final_income_wan,
        sum(final_expenditure_wan) as final_expenditure_wan
    from latest_totals
    group by unit_key, fiscal_year
),

final as (
    select
        {{ pb_key(['unit_years.unit_key', 'unit_years.fiscal_year']) }} as unit_year_key,
        unit_years.unit_key,
        units.unit_name,
        units.region,
        units.admin_level,
        unit_years.fiscal_year,
        cast(unit_years.n_forms as {{ dbt.type_int() }}) as n_forms,
        cast(unit_years.n_department_forms as {{ dbt.type_int() }}) as n_department_forms,
        cast(unit_years.n_project_forms as {{ dbt.type_int() }}) as n_project_forms,
        cast(unit_years.n_self_evaluations as {{ dbt.type_int() }}) as n_self_evaluations,
        amounts.total_funds_wan,
        {% for category_code, column in sources %}
        amounts.{{ column }},
        {% endfor %}
        amounts.basic_expenditure_wan,
        amounts.project_expenditure_wan,
        case
            when coalesce(amounts.basic_expenditure_wan, 0) + coalesce(amounts.project_expenditure_wan, 0) > 0
                then cast(round(100 * cast(amounts.basic_expenditure_wan as {{ dbt.type_numeric() }})
                    / (coalesce(amounts.basic_expenditure_wan, 0) + coalesce(amounts.project_expenditure_wan, 0)), 2)
                    as {{ dbt.type_numeric() }})
        end as basic_expenditure_share_pct,
        amounts.half_year_plan_wan,
        amounts.final_income_wan,
        amounts.final_expenditure_wan,
        {% for check, side in checks %}
        checks.{{ check | lower }}_difference,
        checks.{{ check | lower }}_status,
        {% endfor %}
        cast(coalesce(checks.n_checks_failed, 0) as {{ dbt.type_int() }}) as n_checks_failed,
        cast(coalesce(checks.n_checks_unknowable, 0) as {{ dbt.type_int() }}) as n_checks_unknowable
    from unit_years
    left join units
        on units.unit_key = unit_years.unit_key
    left join amounts
        on amounts.unit_key = unit_years.unit_key
        and amounts.fiscal_year = unit_years.fiscal_year
    left join checks
        on checks.unit_key = unit_years.unit_key
        and checks.fiscal_year = unit_years.fiscal_year
)

select * from final
