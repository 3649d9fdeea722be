-- One row per project of a target table (int_projects.source = target_table) that lacks a
-- level-2 dimension expected on a project form (seed expected_indicator_dimensions) among the
-- rows it is scored on (int_project_indicators_scored): the missing ones and the missing core
-- ones listed (、-separated), and how many are missing.
{{ config(materialized='ephemeral') }}

with projects as (
    select * from {{ ref('int_projects') }}{{ pb_changed_units_only('unit_key', feeds='mart_project_scorecard') }}
),

project_indicators as (
    select * from {{ ref('int_project_indicators_scored') }}
),

expected_dimensions as (
    select * from {{ ref('expected_indicator_dimensions') }}
),

present_dimensions as (
    select distinct scored_project_key as project_key, level1, level2
    from project_indicators
),

missing as (
    select
        projects.project_key,
        expected_dimensions.level2,
        expected_dimensions.is_core
    from projects
    inner join expected_dimensions
        on expected_dimensions.doc_type = 'project_target'
        and projects.source = 'target_table'
    left join present_dimensions
        on present_dimensions.project_key = projects.project_key
        and present_dimensions.level1 = expected_dimensions.level1
        and present_dimensions.level2 = expected_dimensions.level2
    where present_dimensions.project_key is null
),

missing_lists as (
    select
        project_key,
        {{ dbt.listagg('level2', "'、'", 'order by level2') }} as missing_dimensions,
        count(*) as n_missing_dimensions
    from missing
    group by project_key
),

missing_core_lists as (
    select
        project_key,
        {{ dbt.listagg('level2', "'、'", 'order by level2') }} as missing_core_dimensions
    from missing
    where is_core
    group by project_key
),

final as (
    select
        missing_lists.*,
        missing_core_lists.missing_core_dimensions
    from missing_lists
    left join missing_core_lists
        on missing_core_lists.project_key = missing_lists.project_key
)

select * from final
