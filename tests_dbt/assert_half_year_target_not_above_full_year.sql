-- Consistency of targets: a half-year '>=' target above the full-year '>=' target (same unit). Warn only.
{{ config(severity='warn') }}

with indicators as (
    select * from {{ ref('fact_indicator') }}
),

final as (
    select indicator_key, document_key, indicator_name, half_year_raw, full_year_raw
    from indicators
    where is_half_above_full
)

select * from final
