-- One row per scored project (int_project_indicators_scored): how many of its indicator rows
-- fall in each level-1 dimension, are quantitative, vague or paced by schedule, and its vague
-- values listed (、-separated).
{{ config(materialized='ephemeral') }}

with project_indicators as (
    select * from {{ ref('int_project_indicators_scored') }}
),

counts as (
    select
        scored_project_key as project_key,
        max(indicator_source) as indicator_source,
        count(*) as n_indicators,
        sum(case when level1_code = 'decision' then 1 else 0 end) as n_decision,
        sum(case when level1_code = 'process' then 1 else 0 end) as n_process,
        sum(case when level1_code = 'duty' then 1 else 0 end) as n_duty,
        sum(case when level1_code = 'output' then 1 else 0 end) as n_output,
        sum(case when level1_code = 'cost' or level2_code = 'output_cost' then 1 else 0 end) as n_cost,
        sum(case when level1_code = 'benefit' then 1 else 0 end) as n_benefit,
        sum(case when level1_code = 'satisfaction' then 1 else 0 end) as n_satisfaction,
        sum(case when full_year_value_kind = 'quantitative' then 1 else 0 end) as n_quantitative,
        sum(case when is_target_dimension then 1 else 0 end) as n_target_rows,
        sum(case when is_target_dimension and full_year_value_kind = 'quantitative' then 1 else 0 end) as n_quantitative_target_rows,
        sum(case when half_year_is_vague or full_year_is_vague then 1 else 0 end) as n_vague,
        sum(case when level1_code = 'benefit' and full_year_is_vague then 1 else 0 end) as n_vague_benefit,
        sum(case when half_year_value_kind = 'schedule' then 1 else 0 end) as n_half_year_schedule,
        sum(case when is_half_above_full then 1 else 0 end) as n_half_above_full
    from project_indicators
    group by scored_project_key
),

vague_terms as (
    select distinct scored_project_key as project_key, full_year_raw as term
    from project_indicators
    where full_year_is_vague
    union
    select distinct scored_project_key as project_key, half_year_raw as term
    from project_indicators
    where half_year_is_vague
),

vague_lists as (
    select
        project_key,
        {{ dbt.listagg('term', "'、'", 'order by term') }} as vague_values
    from vague_terms
    group by project_key
),

final as (
    select
        counts.*,
        vague_lists.vague_values
    from counts
    left join vague_lists
        on vague_lists.project_key = counts.project_key
)

select * from final
