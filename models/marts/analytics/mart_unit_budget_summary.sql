{#- the income sources with a column of their own and the checks, from the seeds (macros/seed_lists.sql) -#}
{%- set sources = pb_summary_sources() -%}
{%- set checks = pb_reconciliation_checks() -%}
with document_totals as (
    select * from {{ ref('int_document_budget_totals') }}
),

check_results as (
    select * from {{ ref('int_document_check_results') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

-- a form published again (revised) replaces its earlier version: only the latest counts; a form
-- that states no year (a cut page) has no unit-year to count in (it is in the facts, null year)
latest_documents as (
    select * from documents where is_latest and fiscal_year is not null
),

latest_totals as (
    select document_totals.*, latest_documents.unit_key, latest_documents.fiscal_year
    from document_totals
    inner join latest_documents
        on latest_documents.document_key = document_totals.document_key
),

latest_check_results as (
    select check_results.*, latest_documents.unit_key, latest_documents.fiscal_year
    from check_results
    inner join latest_documents
        on latest_documents.document_key = check_results.document_key
),

unit_years as (
    select
        unit_key,
        fiscal_year,
        count(*) as n_forms,
        sum(case when doc_type = 'dept_target' then 1 else 0 end) as n_department_forms,
        sum(case when doc_type = 'project_target' then 1 else 0 end) as n_project_forms,
        sum(case when doc_type = 'dept_self_eval' then 1 else 0 end) as n_self_evaluations
    from latest_documents
    group by unit_key, fiscal_year
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

-- a unit-year's check: the worst status of its forms (fail, pass, unknowable, not_applicable), the
-- largest difference of H1 and H2 and the sum of the sum checks' differences
checks as (
    select
        unit_key,
        fiscal_year,
        {% for check, side in checks %}
        {{ 'max' if side in ('line_pair', 'rate') else 'sum' }}({{ check | lower }}_difference) as {{ check | lower }}_difference,
        case max({{ check | lower }}_status_rank)
            when 4 then 'fail' when 3 then 'pass' when 2 then 'unknowable' else 'not_applicable'
        end as {{ check | lower }}_status,
        {% endfor %}
        sum(n_checks_failed) as n_checks_failed,
        sum(n_checks_unknowable) as n_checks_unknowable
    from latest_check_results
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
