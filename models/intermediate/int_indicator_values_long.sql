-- The two target cells of every indicator row, one row each (period half_year | full_year),
-- with the value squashed (all whitespace removed, docs/DOMAIN.md §B.3) and the unit printed at the
-- end of the indicator name, e.g. 全市智算规模（P） -> P (used when the value is a bare number).
with indicators as (
    select * from {{ ref('int_indicators_classified') }}
),

half_year as (
    select indicator_key, indicator_name, 'half_year' as period, half_year_raw as value_raw
    from indicators
),

full_year as (
    select indicator_key, indicator_name, 'full_year' as period, full_year_raw as value_raw
    from indicators
),

unioned as (
    select * from half_year
    union all
    select * from full_year
),

final as (
    select
        {{ pb_key(['indicator_key', 'period']) }} as indicator_value_key,
        indicator_key,
        period,
        value_raw,
        nullif(replace({{ pb_regexp_replace('value_raw', '[[:space:]]+', '') }}, '　', ''), '') as value_text,
        {{ pb_regexp_extract(pb_regexp_replace('indicator_name', '[[:space:]]+', ''), '[（(]([^（）()]+)[）)]$', 1) }} as name_unit_text
    from unioned
)

select * from final
