-- Blank is never 0 and 序时进度 is never a number: an amount is null exactly when its cell is
-- blank or schedule-paced, and a printed number is kept.
with budget_lines as (
    select * from {{ ref('fact_budget_line') }}
),

final as (
    select budget_line_key, amount_raw, amount_wan, is_blank, is_schedule_paced
    from budget_lines
    where (is_blank and amount_wan is not null)
       or (is_schedule_paced and amount_wan is not null)
       or (not is_blank and not is_schedule_paced and amount_wan is null)
)

select * from final
