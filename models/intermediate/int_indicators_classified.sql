-- One row per indicator row with its canonical level 1 / level 2 (docs/DOMAIN.md §A.3): the raw
-- level 2 (score suffix stripped) is looked up among the taxonomy's level-2 variants first and
-- gives level 1; the raw level 1 is only a cross-check. An unmatched level 2 under a 履职
-- level 1 is the unit's duty area: canonical 履职领域, the text kept in duty_area.
with indicators as (
    select * from {{ ref('stg_perfbudget__indicators') }}
),

indicator_values as (
    select * from {{ ref('stg_perfbudget__indicator_values') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

variants as (
    select * from {{ ref('int_indicator_taxonomy_variants') }}
),

taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

-- the free-text level 2 under 履职: its level 1 and canonical name (履职 / 履职领域)
duty_dimension as (
    select level1_canonical as duty_level1, level2_canonical as duty_level2
    from taxonomy
    where dimension_code = 'duty_area'
),

level1_variants as (
    select distinct level1_canonical, variant_key from variants where variant_level = 'level1'
),

level2_variants as (
    select distinct level1_canonical, level2_canonical, variant_key from variants where variant_level = 'level2'
),

-- the half-year and full-year targets beside their row (indicator_values.csv holds one row per
-- printed value cell group; a period the template does not print stays null)
targets as (
    select
        doc_id,
        indicator_seq,
        max(case when period = 'half_year' then value_raw end) as half_year_raw,
        max(case when period = 'full_year' then value_raw end) as full_year_raw
    from indicator_values
    where kind = 'target'
    group by doc_id, indicator_seq
),

indicators_in_context as (
    select
        indicators.*,
        targets.half_year_raw,
        targets.full_year_raw,
        {{ pb_regexp_replace(pb_name_key('indicators.level1_raw'), pb_score_range_suffix_pattern(), '') }} as level1_key,
        {{ pb_regexp_replace(pb_name_key('indicators.level2_raw'), pb_score_range_suffix_pattern(), '') }} as level2_key,
        documents.document_key,
        documents.doc_type,
        documents.fiscal_year,
        documents.unit_key,
        documents.unit_name_key,
        documents.project_key
    from indicators
    inner join documents
        on documents.doc_id = indicators.doc_id
    left join targets
        on targets.doc_id = indicators.doc_id
        and targets.indicator_seq = indicators.indicator_seq
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

mapped as (
    select
        with_level1.*,
        level2_candidates.level1_canonical as level1_from_level2,
        level2_candidates.level2_canonical as level2_from_level2
    from with_level1
    left join level2_candidates
        on level2_candidates.document_key = with_level1.document_key
        and level2_candidates.indicator_seq = with_level1.indicator_seq
        and level2_candidates.candidate_rank = 1
),

classified as (
    select
        mapped.*,
        coalesce(mapped.level1_from_level2, mapped.level1_from_raw) as level1,
        case
            when mapped.level2_from_level2 is not null then mapped.level2_from_level2
            when mapped.level1_from_raw = duty_dimension.duty_level1 and mapped.level2_raw is not null then duty_dimension.duty_level2
        end as level2,
        case
            when mapped.level2_from_level2 is not null then 'level2_variant'
            when mapped.level1_from_raw = duty_dimension.duty_level1 and mapped.level2_raw is not null then 'duty_area'
            when mapped.level1_from_raw is not null then 'level1_only'
            else 'unmapped'
        end as mapping_rule,
        duty_dimension.duty_level1
    from mapped
    cross join duty_dimension
),

final as (
    select
        {{ pb_key(['document_key', 'indicator_seq']) }} as indicator_key,
        document_key,
        doc_id,
        doc_type,
        unit_key,
        unit_name_key,
        project_key,
        fiscal_year,
        indicator_seq,
        table_seq,
        level1,
        level2,
        {{ pb_key(['level1', 'level2']) }} as indicator_category_key,
        mapping_rule,
        level1_raw,
        level2_raw,
        level1_from_raw,
        case
            when level1_from_raw is null or level1 is null then null
            when level1_from_raw = level1 then true
            else false
        end as is_level1_consistent,
        case when level1 = duty_level1 then level2_raw end as duty_area,
        level1_fill,
        level2_fill,
        level3_raw as indicator_name,
        key_work_raw as key_work,
        linked_project_raw,
        half_year_raw,
        full_year_raw,
        weight_raw,
        score_raw,
        -- the printed weight and score as numbers, parsed here once for every model after
        -- (fact_indicator, int_self_eval_targets)
        cast({{ pb_try_cast(pb_fullwidth_to_ascii('weight_raw'), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as weight,
        cast({{ pb_try_cast(pb_fullwidth_to_ascii('score_raw'), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as score,
        level1_score_raw,
        level2_score_raw,
        direction_raw,
        standard_raw,
        deviation_raw,
        source_line,
        source_ref
    from classified
)

select * from final
