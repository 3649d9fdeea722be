-- Splits each squashed target value into comparator, body and number (docs/DOMAIN.md §B.3):
-- int_indicator_value_comparators has read the fullwidth characters as ASCII and taken the
-- comparator off (prefix, else suffix); here the body is a date range, a numeric range, or a
-- leading number with the text after it (tail).
{{ pb_incremental_by('doc_id') }}

-- an ephemeral step: on an incremental build it holds only the changed documents' values
with value_comparators as (
    select * from {{ ref('int_indicator_value_comparators') }}
),

tokenised as (
    select
        value_comparators.*,
        {{ pb_regexp_matches('body', pb_date_range_pattern()) }} as is_date_range,
        {{ pb_regexp_extract('body', '^([0-9][0-9,]*(\\.[0-9]+)?)[^0-9]*' ~ pb_range_dash() ~ '[0-9]', 1) }} as range_min_text,
        {{ pb_regexp_extract('body', '^[0-9][0-9,]*(\\.[0-9]+)?[^0-9]*' ~ pb_range_dash() ~ '([0-9][0-9,]*(\\.[0-9]+)?)', 3) }} as range_max_text,
        {{ pb_regexp_extract('body', '^[0-9][0-9,]*(\\.[0-9]+)?[^0-9]*' ~ pb_range_dash() ~ '[0-9][0-9,]*(\\.[0-9]+)?(.*)$', 4) }} as range_tail,
        {{ pb_regexp_extract('body', '^([0-9][0-9,]*(\\.[0-9]+)?)', 1) }} as number_text,
        {{ pb_regexp_extract('body', '^[0-9][0-9,]*(\\.[0-9]+)?(.*)$', 2) }} as number_tail
    from value_comparators
),

final as (
    select
        indicator_value_key,
        indicator_key,
        doc_id,
        period,
        kind,
        value_raw,
        value_text,
        name_unit_text,
        comparator_token,
        body,
        is_date_range,
        case when not is_date_range and range_max_text is not null then true else false end as is_range,
        cast({{ pb_try_cast("replace(coalesce(range_min_text, number_text), ',', '')", dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as value_num,
        case
            when not is_date_range and range_max_text is not null
                then cast({{ pb_try_cast("replace(range_max_text, ',', '')", dbt.type_numeric()) }} as {{ dbt.type_numeric() }})
        end as value_max,
        case
            when not is_date_range and range_max_text is not null then range_tail
            else number_tail
        end as tail
    from tokenised
)

select * from final
