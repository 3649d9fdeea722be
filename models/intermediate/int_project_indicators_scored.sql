-- The indicator rows a project is scored on, one row per row and project: the project's own
-- target-form rows (own_target_table), or for a project named only as a budget line the 履职 rows
-- whose 对应项目 links to it (linked_duty_rows). A project published twice for one year (a revised
-- form) is scored on its latest form only (int_document_versions.is_latest). Each row carries the
-- codes of its level 1 and level 2 (seed indicator_taxonomy: decision, output, output_cost …) and
-- whether its level 1 is a performance target (not 决策 / 过程).
{{ config(materialized='ephemeral') }}

with indicators as (
    select * from {{ ref('int_indicators_linked') }}{{ pb_changed_units_only('unit_key', feeds='mart_project_scorecard') }}
),

targets as (
    select * from {{ ref('int_indicator_targets') }}{{ pb_changed_units_only('doc_id', feeds='mart_project_scorecard', documents=true) }}
),

documents as (
    select * from {{ ref('int_document_versions') }}{{ pb_changed_units_only('unit_key', feeds='mart_project_scorecard') }}
),

taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

latest_indicators as (
    select
        indicators.indicator_key,
        indicators.document_key,
        indicators.project_key,
        indicators.linked_project_key,
        indicators.doc_type,
        indicators.level1,
        indicators.level2,
        indicators.half_year_raw,
        indicators.full_year_raw,
        targets.half_year_value_kind,
        targets.half_year_is_vague,
        targets.full_year_value_kind,
        targets.full_year_is_vague,
        targets.is_half_above_full
    from indicators
    inner join documents
        on documents.document_key = indicators.document_key
        and documents.is_latest
    left join targets
        on targets.indicator_key = indicators.indicator_key
),

level1_dimensions as (
    select level1_canonical, dimension_code as level1_code, is_target_dimension
    from taxonomy
    where level2_canonical is null
),

level2_dimensions as (
    select level1_canonical, level2_canonical, dimension_code as level2_code
    from taxonomy
    where level2_canonical is not null
),

coded_indicators as (
    select
        latest_indicators.*,
        level1_dimensions.level1_code,
        level1_dimensions.is_target_dimension,
        level2_dimensions.level2_code
    from latest_indicators
    left join level1_dimensions
        on level1_dimensions.level1_canonical = latest_indicators.level1
    left join level2_dimensions
        on level2_dimensions.level1_canonical = latest_indicators.level1
        and level2_dimensions.level2_canonical = latest_indicators.level2
),

final as (
    select coded_indicators.*, 'own_target_table' as indicator_source,
        coded_indicators.project_key as scored_project_key
    from coded_indicators
    where coded_indicators.project_key is not null
      and coded_indicators.doc_type = 'project_target'
    union all
    select coded_indicators.*, 'linked_duty_rows' as indicator_source,
        coded_indicators.linked_project_key as scored_project_key
    from coded_indicators
    where coded_indicators.linked_project_key is not null
      and coded_indicators.project_key is null
)

select * from final
