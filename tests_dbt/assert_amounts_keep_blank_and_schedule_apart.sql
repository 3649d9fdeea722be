-- Blank is never 0 and 序时进度 is never a number: an amount is null exactly when its cell is
-- blank, schedule-paced or not a plain number (约100, 1e6: is_unparsed, with an extraction
-- warning), and a printed number is kept. Rows carry document_key so that a failure is traced
-- to its form (flows/attribution.py).
with budget_lines as (
    select * from {{ ref('fact_budget_line') }}
),

final as (
    select budget_line_key, document_key, amount_raw, amount_wan, is_blank, is_schedule_paced, is_unparsed
    from budget_lines
    where (is_blank and amount_wan is not null)
       or (is_schedule_paced and amount_wan is not null)
       or (not is_blank and not is_schedule_paced and not is_unparsed and amount_wan is null)
       or (is_unparsed and amount_wan is not null)
)

select * from final
