-- Target values parsed (docs/DOMAIN.md §B.3): unit of measure from the value (longest symbol of seed
-- units_of_measure; a list such as 台、件、套、项 is a multi-unit joined with '/'), else from the
-- indicator name for a bare number; value_kind quantitative | qualitative | schedule | empty;
-- direction from the comparator; vocabulary class and vagueness of qualitative values.
{{ pb_incremental_by('doc_id') }}

with with_units as (
    select * from {{ ref('int_indicator_value_units') }}{{ pb_changed_only('doc_id') }}
),

comparators as (
    select distinct comparator, direction from {{ ref('value_comparators') }}
),

vocabulary as (
    select * from {{ ref('value_vocabulary') }}
),

classified as (
    select
        with_units.*,
        vocabulary.value_class,
        coalesce(vocabulary.is_vague, false) as is_vague_term,
        case
            when with_units.value_text is null then 'empty'
            when vocabulary.is_schedule then 'schedule'
            when with_units.value_num is not null and not with_units.is_date_range then 'quantitative'
            else 'qualitative'
        end as value_kind,
        case
            when with_units.is_range then 'between'
            else comparators.comparator
        end as comparator,
        comparators.direction as comparator_direction
    from with_units
    left join vocabulary
        on vocabulary.term = with_units.value_text
    left join comparators
        on comparators.comparator = with_units.comparator_token
),

final as (
    select
        indicator_value_key,
        indicator_key,
        doc_id,
        period,
        kind,
        value_raw,
        value_kind,
        case when value_kind = 'quantitative' then comparator end as comparator,
        case when value_kind = 'quantitative' then value_num end as value_num,
        case when value_kind = 'quantitative' then value_max end as value_max,
        case
            when value_kind <> 'quantitative' then null
            when is_multi_unit then uom_list
            when value_uom is not null then value_uom
            when tail is null then name_uom
        end as uom,
        case
            when value_kind <> 'quantitative' then null
            when is_multi_unit or value_uom is not null then 'value'
            when tail is null and name_uom is not null then 'indicator_name'
        end as uom_source,
        case
            when value_kind <> 'quantitative' then null
            when is_multi_unit then null
            when value_uom is not null then nullif(substring(tail, {{ dbt.length('value_unit_symbol') }} + 1), '')
            else tail
        end as value_items,
        case
            when value_kind = 'quantitative' and is_range then 'interval'
            when value_kind = 'quantitative' and comparator is null then 'unstated'
            when value_kind = 'quantitative' then comparator_direction
            when value_kind = 'qualitative' then 'qualitative'
        end as direction,
        case when value_kind = 'qualitative' then coalesce(value_class, 'free_text') end as qualitative_class,
        case when value_kind = 'qualitative' and is_vague_term then true else false end as is_vague,
        case when value_kind = 'quantitative' and is_multi_unit then true else false end as is_multi_unit,
        case when value_kind = 'quantitative' and comparator in ('>=', '>') and value_num = 0 then true else false end as is_trivial_lower_bound,
        is_date_range
    from classified
)

select * from final
