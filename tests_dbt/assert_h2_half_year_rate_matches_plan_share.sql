-- H2: a project's half-year 预算执行率 target equals its half-year plan / full-year budget
-- (within var half_year_rate_tolerance_pct percentage points). Warn only.
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
),

final as (
    select source_file, project_name, lhs_value as rate_target_pct, rhs_value as plan_share_pct, difference
    from reconciliation
    where check_code = 'H2' and status = 'fail'
)

select * from final
