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

uom_by_symbol as (
    select map(list(symbol), list(uom)) as uom_of
    from units
),

-- The tail read as a list of units, row by row (no join, no group: an ordered string_agg over
-- the exploded pieces of 100 000 forms needed over 400 MB): its first 16 pieces at 、, trimmed,
-- empties dropped, and the unit of measure each piece names.
tail_units as (
    select
        tokenised.*,
        [trim(piece) for piece in string_split(tokenised.tail, '、')[1:16] if trim(piece) <> ''] as tail_pieces,
        [uom_by_symbol.uom_of[piece] for piece in tail_pieces if uom_by_symbol.uom_of[piece] is not null] as tail_piece_uoms
    from tokenised
    cross join uom_by_symbol
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
        tail_units.* exclude (tail_pieces, tail_piece_uoms),
        coalesce(len(tail_units.tail_pieces) > 1 and len(tail_units.tail_piece_uoms) = len(tail_units.tail_pieces), false) as is_multi_unit,
        nullif(array_to_string(tail_units.tail_piece_uoms, '/'), '') as uom_list,
        unit_prefix.symbol as value_unit_symbol,
        unit_prefix.uom as value_uom,
        name_units.uom as name_uom
    from tail_units
    left join unit_prefix_candidates as unit_prefix
        on unit_prefix.indicator_value_key = tail_units.indicator_value_key
        and unit_prefix.symbol_rank = 1
    left join name_units
        on name_units.indicator_value_key = tail_units.indicator_value_key
)

select * from final
