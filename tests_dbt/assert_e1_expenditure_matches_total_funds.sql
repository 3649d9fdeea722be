-- E1: 资金总额 = 基本支出 + 项目支出 (department) or the sum of the expenditure lines (project),
-- full year. Warn only; a blank side is 'unknowable', not a failure.
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
),

final as (
    select source_file, unit_name, project_name, check_code, lhs_value, rhs_value, difference
    from reconciliation
    where check_code = 'E1' and status = 'fail'
)

select * from final
