-- H1: on every expenditure line the half-year plan is at most the full-year budget. Warn only.
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
),

final as (
    select source_file, unit_name, project_name, check_code, lhs_value as largest_excess_wan
    from reconciliation
    where check_code = 'H1' and status = 'fail'
)

select * from final
