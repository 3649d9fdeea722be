{%- set checks = ['I1', 'I2', 'E1', 'E2', 'E2H', 'H1', 'H2', 'S1', 'S2'] -%}
{%- set sources = [
    ('财政拨款小计', 'fiscal_appropriation_wan'),
    ('一般公共预算资金', 'general_public_budget_wan'),
    ('政府性基金', 'government_fund_wan'),
    ('财政专户管理资金', 'special_account_wan'),
    ('国有资本金', 'state_capital_wan'),
    ('社保基金', 'social_insurance_wan'),
    ('上年结转资金', 'carry_over_wan'),
    ('其他资金', 'other_funds_wan'),
] -%}
with budget_lines as (
    select * from {{ ref('fact_budget_line') }}
),

reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
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
    select reconciliation.*
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
        sum(case when category = '资金总额' and phase = 'annual_budget' then amount_wan end) as total_funds_wan,
        {% for category, column in sources %}
        sum(case when category = '{{ category }}' and phase = 'annual_budget' then amount_wan end) as {{ column }},
        {% endfor %}
        sum(case when category = '基本支出' and phase = 'annual_budget' then amount_wan end) as basic_expenditure_wan,
        sum(case
            when phase = 'annual_budget' and category = '项目支出' and doc_type = 'dept_target' then amount_wan
            when phase = 'annual_budget' and category = '项目支出明细' and doc_type = 'project_target' then amount_wan
        end) as project_expenditure_wan,
        sum(case
            when phase = 'half_year_plan' and category in ('基本支出', '项目支出') and doc_type = 'dept_target' then amount_wan
            when phase = 'half_year_plan' and category = '项目支出明细' and doc_type = 'project_target' then amount_wan
        end) as half_year_plan_wan,
        sum(case when phase = 'final_account' and category = '收入合计' then amount_wan end) as final_income_wan,
        sum(case when phase = 'final_account' and category = '支出合计' then amount_wan end) as final_expenditure_wan
    from latest_budget_lines
    group by unit_key, fiscal_year
),

checks as (
    select
        unit_key,
        fiscal_year,
        {% for check in checks %}
        {% if check == 'H1' -%}
        max(case when check_code = '{{ check }}' then difference end) as {{ check | lower }}_difference,
        {%- elif check == 'H2' -%}
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
        {% for category, column in sources %}
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
        {% for check in checks %}
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
