-- The funding arithmetic of docs/DOMAIN.md §C.2, one row per form x check: the sum checks
-- (int_budget_sum_checks), the line-pair check H1 (int_budget_line_pair_check) and the rate check
-- H2 (int_half_year_rate_check), with each check's names, phase and difference unit from seed
-- reconciliation_rules. The one source of mart_budget_reconciliation, mart_data_quality and
-- mart_unit_budget_summary for the checks.
{{ pb_incremental_by('document_key') }}

with sum_checks as (
    select * from {{ ref('int_budget_sum_checks') }}{{ pb_changed_only('document_key') }}
),

line_pair_checks as (
    select * from {{ ref('int_budget_line_pair_check') }}{{ pb_changed_only('document_key') }}
),

half_year_rate as (
    select * from {{ ref('int_half_year_rate_check') }}{{ pb_changed_only('document_key') }}
),

rules as (
    select * from {{ ref('reconciliation_rules') }}
),

check_names as (
    select distinct check_code, check_name_zh, check_name_en, phase, difference_unit from rules
),

rate_check as (
    select distinct check_code from rules where side = 'rate'
),

rate_checks as (
    select
        half_year_rate.document_key,
        rate_check.check_code,
        half_year_rate.rate_target_pct as lhs_value,
        half_year_rate.half_year_plan_share_pct as rhs_value,
        half_year_rate.difference_pct as difference,
        half_year_rate.status
    from half_year_rate
    cross join rate_check
),

unioned as (
    select document_key, check_code, lhs_wan as lhs_value, rhs_wan as rhs_value, lhs_wan - rhs_wan as difference, status
    from sum_checks
    union all
    select document_key, check_code, lhs_wan as lhs_value, rhs_wan as rhs_value, lhs_wan - rhs_wan as difference, status
    from line_pair_checks
    union all
    select * from rate_checks
),

final as (
    select
        {{ pb_key(['unioned.document_key', 'unioned.check_code']) }} as reconciliation_key,
        unioned.document_key,
        unioned.check_code,
        check_names.check_name_zh,
        check_names.check_name_en,
        check_names.phase,
        cast(unioned.lhs_value as {{ dbt.type_numeric() }}) as lhs_value,
        cast(unioned.rhs_value as {{ dbt.type_numeric() }}) as rhs_value,
        cast(unioned.difference as {{ dbt.type_numeric() }}) as difference,
        check_names.difference_unit,
        unioned.status
    from unioned
    inner join check_names
        on check_names.check_code = unioned.check_code
)

select * from final
