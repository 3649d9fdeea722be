-- The first step of int_indicator_values_tokenised (docs/DOMAIN.md §B.3): fullwidth digits and
-- signs read as ASCII (１００% is 100 %, ＞＝90% is >= 90 %), then the prefix comparator (longest
-- token of seed value_comparators), else a suffix one (以上/以下/以内), taken off the body.
-- Ephemeral: it renders with its own config, so its import names the incremental model it feeds
-- (`feeds`) and an incremental build reads only the changed documents' values.
{{ config(materialized='ephemeral') }}

with values_long as (
    select * from {{ ref('int_indicator_values_long') }}{{ pb_changed_only('doc_id', feeds='int_indicator_values_tokenised') }}
),

comparators as (
    select * from {{ ref('value_comparators') }}
),

normalised as (
    select
        values_long.*,
        {{ pb_fullwidth_to_ascii('values_long.value_text') }} as value_ascii
    from values_long
),

prefix_candidates as (
    select
        normalised.indicator_value_key,
        comparators.token,
        comparators.comparator,
        row_number() over (
            partition by normalised.indicator_value_key
            order by {{ dbt.length('comparators.token') }} desc
        ) as token_rank
    from normalised
    inner join comparators
        on comparators.position = 'prefix'
        and {{ dbt.position('comparators.token', 'normalised.value_ascii') }} = 1
),

with_prefix as (
    select
        normalised.*,
        prefix_candidates.comparator as prefix_comparator,
        case
            when prefix_candidates.token is null then normalised.value_ascii
            else {{ dbt.right('normalised.value_ascii', dbt.length('normalised.value_ascii') ~ ' - ' ~ dbt.length('prefix_candidates.token')) }}
        end as after_prefix
    from normalised
    left join prefix_candidates
        on prefix_candidates.indicator_value_key = normalised.indicator_value_key
        and prefix_candidates.token_rank = 1
),

suffix_candidates as (
    select
        with_prefix.indicator_value_key,
        comparators.token,
        comparators.comparator,
        row_number() over (
            partition by with_prefix.indicator_value_key
            order by {{ dbt.length('comparators.token') }} desc
        ) as token_rank
    from with_prefix
    inner join comparators
        on comparators.position = 'suffix'
        and {{ dbt.length('with_prefix.after_prefix') }} > {{ dbt.length('comparators.token') }}
        and {{ dbt.right('with_prefix.after_prefix', dbt.length('comparators.token')) }} = comparators.token
),

with_suffix as (
    select
        with_prefix.*,
        suffix_candidates.comparator as suffix_comparator,
        case
            when suffix_candidates.token is null then with_prefix.after_prefix
            else substring(
                with_prefix.after_prefix, 1,
                {{ dbt.length('with_prefix.after_prefix') }} - {{ dbt.length('suffix_candidates.token') }}
            )
        end as body
    from with_prefix
    left join suffix_candidates
        on suffix_candidates.indicator_value_key = with_prefix.indicator_value_key
        and suffix_candidates.token_rank = 1
),

final as (
    select
        with_suffix.*,
        -- ±3%以内 keeps ±: a prefix comparator wins over a suffix one
        coalesce(prefix_comparator, suffix_comparator) as comparator_token
    from with_suffix
)

select * from final
