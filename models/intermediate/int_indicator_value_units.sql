-- The unit of measure of a target value (docs/DOMAIN.md §B.3), one row per value of
-- int_indicator_values_tokenised with its unit candidates: the longest symbol of seed
-- units_of_measure that starts the tail after the number (value_uom), a list of units such as
-- 台、件、套、项 (is_multi_unit, uom_list joined with '/'), and the unit the indicator name implies
-- for a bare number (name_uom).
{{ pb_incremental_by('doc_id') }}

with tokenised as (
    select * from {{ ref('int_indicator_values_tokenised') }}{{ pb_changed_only('doc_id') }}
),

units as (
    select * from {{ ref('units_of_measure') }}
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

final as (
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
)

select * from final
