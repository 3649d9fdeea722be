-- The taxonomy matches of an indicator row (docs/DOMAIN.md §A.3), one row per indicator row of
-- int_indicators_in_context: the level 1 its printed level 1 names (level1_from_raw), and the
-- level 1 / level 2 its printed level 2 names among the taxonomy's level-2 variants
-- (level1_from_level2, level2_from_level2; of several, the one under the printed level 1 first).
{{ pb_incremental_by('doc_id') }}

with indicators_in_context as (
    select * from {{ ref('int_indicators_in_context') }}{{ pb_changed_only('doc_id') }}
),

variants as (
    select * from {{ ref('int_indicator_taxonomy_variants') }}
),

level1_variants as (
    select distinct level1_canonical, variant_key from variants where variant_level = 'level1'
),

level2_variants as (
    select distinct level1_canonical, level2_canonical, variant_key from variants where variant_level = 'level2'
),

with_level1 as (
    select
        indicators_in_context.*,
        level1_variants.level1_canonical as level1_from_raw
    from indicators_in_context
    left join level1_variants
        on level1_variants.variant_key = indicators_in_context.level1_key
),

level2_candidates as (
    select
        with_level1.document_key,
        with_level1.indicator_seq,
        level2_variants.level1_canonical,
        level2_variants.level2_canonical,
        row_number() over (
            partition by with_level1.document_key, with_level1.indicator_seq
            order by
                case when level2_variants.level1_canonical = with_level1.level1_from_raw then 0 else 1 end,
                level2_variants.level1_canonical,
                level2_variants.level2_canonical
        ) as candidate_rank
    from with_level1
    inner join level2_variants
        on level2_variants.variant_key = with_level1.level2_key
),

final as (
    select
        with_level1.*,
        level2_candidates.level1_canonical as level1_from_level2,
        level2_candidates.level2_canonical as level2_from_level2
    from with_level1
    left join level2_candidates
        on level2_candidates.document_key = with_level1.document_key
        and level2_candidates.indicator_seq = with_level1.indicator_seq
        and level2_candidates.candidate_rank = 1
)

select * from final
