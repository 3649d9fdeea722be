{#- the income sources with a column of their own (seed budget_categories.summary_column) and the
    checks of seed reconciliation_rules, in the seeds' order; read when the model runs (at parse
    time, and before the seeds are loaded, the lists are empty) -#}
{%- set sources_query -%}
    select category_code, summary_column from {{ ref('budget_categories') }}
    where summary_column is not null order by sort_order
{%- endset -%}
{%- set checks_query -%}
    select check_code, max(side) as side from {{ ref('reconciliation_rules') }}
    group by check_code order by min(check_order), check_code
{%- endset -%}
{%- set sources = [] -%}
{%- set checks = [] -%}
{%- if execute and load_relation(ref('budget_categories')) is not none and load_relation(ref('reconciliation_rules')) is not none -%}
    {%- set sources = run_query(sources_query).rows -%}
    {%- set checks = run_query(checks_query).rows -%}
{%- endif -%}
with budget_lines as (
    select * from {{ ref('int_budget_amounts') }}
),

reconciliation as (
    select * from {{ ref('int_budget_reconciliation') }}
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

latest_budget_lines as (
    select budget_lines.*
    from budget_lines
    inner join latest_documents
        on latest_documents.document_key = budget_lines.document_key
),

latest_reconciliation as (
    select reconciliation.*, latest_documents.unit_key, latest_documents.fiscal_year
    from reconciliation
    inner join latest_documents
        on latest_documents.document_key = reconciliation.document_key
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
        sum(case when category_code = 'total_funds' and phase = 'annual_budget' then amount_wan end) as total_funds_wan,
        {% for category_code, column in sources %}
        sum(case when category_code = '{{ category_code }}' and phase = 'annual_budget' then amount_wan end) as {{ column }},
        {% endfor %}
        sum(case when category_code = 'basic_expenditure' and phase = 'annual_budget' then amount_wan end) as basic_expenditure_wan,
        sum(case
            when phase = 'annual_budget' and category_code = 'project_expenditure' and doc_type = 'dept_target' then amount_wan
            when phase = 'annual_budget' and category_code = 'project_expenditure_line' and doc_type = 'project_target' then amount_wan
        end) as project_expenditure_wan,
        sum(case
            when phase = 'half_year_plan' and category_code in ('basic_expenditure', 'project_expenditure') and doc_type = 'dept_target' then amount_wan
            when phase = 'half_year_plan' and category_code = 'project_expenditure_line' and doc_type = 'project_target' then amount_wan
        end) as half_year_plan_wan,
        sum(case when phase = 'final_account' and category_code = 'total_income' then amount_wan end) as final_income_wan,
        sum(case when phase = 'final_account' and category_code = 'total_expenditure' then amount_wan end) as final_expenditure_wan
    from latest_budget_lines
    group by unit_key, fiscal_year
),

checks as (
    select
        unit_key,
        fiscal_year,
        {% for check, side in checks %}
        {% if side == 'line_pair' -%}
        max(case when check_code = '{{ check }}' then difference end) as {{ check | lower }}_difference,
        {%- elif side == 'rate' -%}
        max(case when check_code = '{{ check }}' then abs(difference) end) as {{ check | lower }}_difference,
        {%- else -%}
        sum(case when check_code = '{{ check }}' then difference end) as {{ check | lower }}_difference,
        {%- endif %}
        case
            when sum(case when check_code = '{{ check }}' and status = 'fail' then 1 else 0 end) > 0 then 'fail'
            when sum(case when check_code = '{{ check }}' and status = 'pass' then 1 else 0 end) > 0 then 'pass'
            when sum(case when check_code = '{{ check }}' and status = 'unknowable' then 1 else 0 end) > 0 then 'unknowable'
            else 'not_applicable'
        end as {{ check | lower }}_status,
        {% endfor %}
        sum(case when status = 'fail' then 1 else 0 end) as n_checks_failed,
        sum(case when status = 'unknowable' then 1 else 0 end) as n_checks_unknowable
    from latest_reconciliation
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
