-- I2: 财政拨款小计 = 一般公共预算资金 + 政府性基金 + 财政专户管理资金. Warn only.
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
),

final as (
    select source_file, unit_name, project_name, check_code, lhs_value, rhs_value, difference
    from reconciliation
    where check_code = 'I2' and status = 'fail'
)

select * from final
