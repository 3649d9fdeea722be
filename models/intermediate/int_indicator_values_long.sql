-- Every printed value cell group of every indicator row, one row each (indicator_values.csv,
-- staging contract v2): period half_year | full_year | mid_term, kind target | actual |
-- completion_rate (完成率 as printed), with the
-- value squashed (all whitespace removed, docs/DOMAIN.md §B.3) and the unit printed at the end
-- of the indicator name, e.g. 全市智算规模（P） -> P (used when the value is a bare number).
{{ pb_incremental_by('doc_id') }}

with indicators as (
    select * from {{ ref('int_indicators_classified') }}{{ pb_changed_only('doc_id') }}
),

indicator_values as (
    select * from {{ ref('stg_perfbudget__indicator_values') }}{{ pb_changed_only('doc_id') }}
),

values_of_rows as (
    select
        indicators.indicator_key,
        indicators.doc_id,
        indicators.indicator_name,
        indicator_values.period,
        indicator_values.kind,
        indicator_values.value_raw
    from indicator_values
    inner join indicators
        on indicators.doc_id = indicator_values.doc_id
        and indicators.indicator_seq = indicator_values.indicator_seq
),

final as (
    select
        {{ pb_key(['indicator_key', 'period', 'kind']) }} as indicator_value_key,
        indicator_key,
        doc_id,
        period,
        kind,
        value_raw,
        nullif(replace({{ pb_regexp_replace('value_raw', '[[:space:]]+', '') }}, '　', ''), '') as value_text,
        {{ pb_regexp_extract(pb_regexp_replace('indicator_name', '[[:space:]]+', ''), '[（(]([^（）()]+)[）)]$', 1) }} as name_unit_text
    from values_of_rows
)

select * from final
