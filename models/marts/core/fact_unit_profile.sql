{#- (fact key of the report, column, kind): the unit's profile as the report states it -#}
{%- set measures = [
    ('staff_authorized', 'staff_authorized', 'count'),
    ('staff_actual', 'staff_actual', 'count'),
    ('staff_retired', 'staff_retired', 'count'),
    ('internal_departments', 'internal_departments', 'count'),
    ('assets_total', 'assets_total_wan', 'money'),
    ('assets_current', 'assets_current_wan', 'money'),
    ('assets_noncurrent', 'assets_noncurrent_wan', 'money'),
    ('assets_fixed', 'assets_fixed_wan', 'money'),
    ('assets_intangible', 'assets_intangible_wan', 'money'),
    ('liabilities_total', 'liabilities_total_wan', 'money'),
    ('net_assets', 'net_assets_wan', 'money'),
] -%}
-- One row per unit and fiscal year (wide): staffing, internal departments and assets as the
-- unit's latest self-evaluation report of that year states them (一、部门概况). Counts are
-- numbers (十二 reads 12); money is in 万元 (元/千元/亿元 converted); a figure the report does
-- not state is null. Wide, not long: the measures are a fixed, small set that analysts compare
-- side by side (编制 vs 实有, 资产 = 流动 + 非流动), and one row per unit-year joins 1:1 to
-- mart_budget_execution. The first statement of each figure counts (fact key without #n).
with documents as (
    select * from {{ ref('dim_document') }}
),

report_facts as (
    select * from {{ ref('int_report_facts_parsed') }}
),

latest_reports as (
    select * from documents where doc_type = 'dept_self_eval' and is_latest
),

pivoted as (
    select
        document_key,
        {% for fact_key, column, kind in measures %}
        max(case when fact_key = '{{ fact_key }}' then {{ 'amount_wan' if kind == 'money' else 'value_num' }} end) as {{ column }},
        {% endfor %}
        count(*) as n_figures
    from report_facts
    where fact_key in ({% for fact_key, column, kind in measures %}'{{ fact_key }}'{% if not loop.last %}, {% endif %}{% endfor %})
    group by document_key
),

final as (
    select
        {{ pb_key(['latest_reports.unit_key', 'latest_reports.fiscal_year']) }} as unit_profile_key,
        latest_reports.unit_key,
        latest_reports.unit_name,
        latest_reports.fiscal_year,
        latest_reports.document_key,
        {% for fact_key, column, kind in measures %}
        {% if kind == 'count' -%}
        cast(pivoted.{{ column }} as {{ dbt.type_int() }}) as {{ column }},
        {%- else -%}
        cast(pivoted.{{ column }} as {{ dbt.type_numeric() }}) as {{ column }},
        {%- endif %}
        {% endfor %}
        cast(coalesce(pivoted.n_figures, 0) as {{ dbt.type_int() }}) as n_figures
    from latest_reports
    left join pivoted
        on pivoted.document_key = latest_reports.document_key
)

select * from final
