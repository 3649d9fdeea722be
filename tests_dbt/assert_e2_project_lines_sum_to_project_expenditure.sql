-- E2 / E2H: 项目支出 = the sum of the named project lines, full year and half year.
-- Warn only: 003 itemises only 250 of its 500.
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
),

final as (
    select source_file, unit_name, project_name, check_code, lhs_value, rhs_value, difference
    from reconciliation
    where check_code in ('E2', 'E2H') and status = 'fail'
)

select * from final
