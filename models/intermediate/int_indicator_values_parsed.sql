-- Target values parsed (docs/DOMAIN.md §B.3): unit of measure from the value (longest symbol of seed
-- units_of_measure; a list such as 台、件、套、项 is a multi-unit joined with '/'), else from the
-- indicator name for a bare number; value_kind quantitative | qualitative | schedule | empty;
-- direction from the comparator; vocabulary class and vagueness of qualitative values.
{{ pb_incremental_by('doc_id') }}

with tokenised as (
    select * from {{ ref('int_indicator_values_tokenised') }}{{ pb_changed_only('doc_id') }}
),

units as (
    select * from {{ ref('units_of_measure') }}
),

comparators as (
    select distinct comparator, direction from {{ ref('value_comparators') }}
),

vocabulary as (
    select * from {{ ref('value_vocabulary') }}
),

unit_prefix_candidates as (
    select
        tokenised.indicator_value_key,
        units.symbol,
        units.uom,
        row_number() over (
            partition by tokenised.indicator_value_key
            order by {{ dbt.length('units.symbol') }} desc
        ) as symbol_rank
    from tokenised
    inner join units
        on {{ dbt.position('units.symbol', 'tokenised.tail') }} = 1
    where tokenised.value_num is not null
),

tail_pieces as (
    {{ pb_explode_list('tokenised', ['indicator_value_key'], 'tail', delimiter='、') }}
),

multi_unit as (
    select
        tail_pieces.indicator_value_key,
        count(*) as n_pieces,
        count(units.uom) as n_unit_pieces,
        {{ dbt.listagg('units.uom', "'/'", 'order by tail_pieces.element_position') }} as uom_list
    from tail_pieces
    left join units
        on units.symbol = tail_pieces.element
    group by tail_pieces.indicator_value_key
),

name_units as (
    select
        tokenised.indicator_value_key,
        units.uom
    from tokenised
    inner join units
        on units.symbol = tokenised.name_unit_text
),

with_units as (
    select
        tokenised.*,
        case when multi_unit.n_pieces > 1 and multi_unit.n_unit_pieces = multi_unit.n_pieces then true else false end as is_multi_unit,
        multi_unit.uom_list,
        unit_prefix.symbol as value_unit_symbol,
        unit_prefix.uom as value_uom,
        name_units.uom as name_uom
    from tokenised
    left join unit_prefix_candidates as unit_prefix
        on unit_prefix.indicator_value_key = tokenised.indicator_value_key
        and unit_prefix.symbol_rank = 1
    left join multi_unit
        on multi_unit.indicator_value_key = tokenised.indicator_value_key
    left join name_units
        on name_units.indicator_value_key = tokenised.indicator_value_key
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
