-- I1 (DOMAIN.md §C.2): 资金总额 = 财政拨款小计 + 国有资本金 + 社保基金 + 上年结转资金 + 其他资金.
-- Warn only: real documents break it (000: 83300 vs 40000). Each failing form is a row.
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
),

final as (
    select source_file, unit_name, project_name, check_code, lhs_value, rhs_value, difference
    from reconciliation
    where check_code = 'I1' and status = 'fail'
)

select * from final
