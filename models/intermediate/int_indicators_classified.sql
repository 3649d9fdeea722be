-- One row per indicator row with its canonical level 1 / level 2 (docs/DOMAIN.md §A.3): the raw
-- level 2 (score suffix stripped) is looked up among the taxonomy's level-2 variants first and
-- gives level 1; the raw level 1 is only a cross-check. An unmatched level 2 under a 履职
-- level 1 is the unit's duty area: canonical 履职领域, the text kept in duty_area.
{{ pb_incremental_by('doc_id') }}

with taxonomy_matches as (
    select * from {{ ref('int_indicator_taxonomy_matches') }}{{ pb_changed_only('doc_id') }}
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

classified as (
    select
        taxonomy_matches.*,
        coalesce(taxonomy_matches.level1_from_level2, taxonomy_matches.level1_from_raw) as level1,
        case
            when taxonomy_matches.level2_from_level2 is not null then taxonomy_matches.level2_from_level2
            when taxonomy_matches.level1_from_raw = duty_dimension.duty_level1 and taxonomy_matches.level2_raw is not null then duty_dimension.duty_level2
        end as level2,
        case
            when taxonomy_matches.level2_from_level2 is not null then 'level2_variant'
            when taxonomy_matches.level1_from_raw = duty_dimension.duty_level1 and taxonomy_matches.level2_raw is not null then 'duty_area'
            when taxonomy_matches.level1_from_raw is not null then 'level1_only'
            else 'unmapped'
        end as mapping_rule,
        duty_dimension.duty_level1
    from taxonomy_matches
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
