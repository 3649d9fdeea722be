-- One row per project per fiscal year: how good its targets are. Indicators are the project's own
-- target-form rows, or for a project named only as a budget line the 履职 rows whose 对应项目
-- links to it (indicator_source).
with projects as (
    select * from {{ ref('dim_project') }}
),

indicators as (
    select * from {{ ref('fact_indicator') }}
),

budget_lines as (
    select * from {{ ref('int_budget_amounts') }}
),

taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

expected_dimensions as (
    select * from {{ ref('expected_indicator_dimensions') }}
),

half_year_rate as (
    select * from {{ ref('int_half_year_rate_check') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

-- a project published twice for one year (a revised form) is scored on its latest form only
latest_documents as (
    select document_key from documents where is_latest
),

latest_indicators as (
    select indicators.*
    from indicators
    inner join latest_documents
        on latest_documents.document_key = indicators.document_key
),

-- the level 1 and level 2 of seed indicator_taxonomy as codes (decision, output, output_cost …),
-- and whether the level 1 is a performance target (not 决策 / 过程)
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

project_indicators as (
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

money as (
    select
        project_key,
        sum(case when category_code = 'total_funds' and phase = 'annual_budget' then amount_wan end) as total_funds_wan,
        sum(case when direction = 'expenditure' and phase = 'annual_budget' then amount_wan end) as annual_expenditure_wan,
        sum(case when direction = 'expenditure' and phase = 'half_year_plan' then amount_wan end) as half_year_plan_wan
    from budget_lines
    inner join latest_documents
        on latest_documents.document_key = budget_lines.document_key
    where budget_lines.project_key is not null
      and budget_lines.doc_type in ('project_target', 'dept_target')
    group by project_key
),

rates as (
    select documents.project_key, half_year_rate.*
    from half_year_rate
    inner join documents
        on documents.document_key = half_year_rate.document_key
    where documents.is_latest
),

final as (
    select
        projects.project_key,
        projects.project_name,
        projects.unit_key,
        projects.unit_name,
        projects.fiscal_year,
        projects.source,
        coalesce(counts.indicator_source, 'none') as indicator_source,
        money.total_funds_wan,
        money.annual_expenditure_wan,
        money.half_year_plan_wan,
        cast(coalesce(counts.n_indicators, 0) as {{ dbt.type_int() }}) as n_indicators,
        cast(coalesce(counts.n_decision, 0) as {{ dbt.type_int() }}) as n_decision,
        cast(coalesce(counts.n_process, 0) as {{ dbt.type_int() }}) as n_process,
        cast(coalesce(counts.n_duty, 0) as {{ dbt.type_int() }}) as n_duty,
        cast(coalesce(counts.n_output, 0) as {{ dbt.type_int() }}) as n_output,
        cast(coalesce(counts.n_cost, 0) as {{ dbt.type_int() }}) as n_cost,
        cast(coalesce(counts.n_benefit, 0) as {{ dbt.type_int() }}) as n_benefit,
        cast(coalesce(counts.n_satisfaction, 0) as {{ dbt.type_int() }}) as n_satisfaction,
        case when coalesce(counts.n_cost, 0) > 0 then true else false end as has_cost_indicator,
        case when coalesce(counts.n_satisfaction, 0) > 0 then true else false end as has_satisfaction_indicator,
        case
            when counts.n_indicators > 0
                then cast(round(cast(counts.n_quantitative as {{ dbt.type_numeric() }}) / counts.n_indicators, 4) as {{ dbt.type_numeric() }})
        end as share_quantitative,
        case
            when counts.n_target_rows > 0
                then cast(round(cast(counts.n_quantitative_target_rows as {{ dbt.type_numeric() }}) / counts.n_target_rows, 4) as {{ dbt.type_numeric() }})
        end as share_quantitative_targets,
        missing_lists.missing_dimensions,
        cast(coalesce(missing_lists.n_missing_dimensions, 0) as {{ dbt.type_int() }}) as n_missing_dimensions,
        missing_core_lists.missing_core_dimensions,
        cast(coalesce(counts.n_vague, 0) as {{ dbt.type_int() }}) as n_vague,
        vague_lists.vague_values,
        case
            when counts.n_benefit > 0 and counts.n_vague_benefit = counts.n_benefit then true
            else false
        end as has_only_vague_benefits,
        cast(coalesce(counts.n_half_year_schedule, 0) as {{ dbt.type_int() }}) as n_half_year_schedule,
        cast(coalesce(counts.n_half_above_full, 0) as {{ dbt.type_int() }}) as n_half_above_full,
        rates.rate_target_raw as half_year_rate_target_raw,
        rates.rate_target_pct as half_year_rate_target_pct,
        rates.half_year_plan_share_pct,
        rates.difference_pct as half_year_rate_difference_pct,
        coalesce(rates.status, 'not_applicable') as half_year_rate_status
    from projects
    left join counts
        on counts.project_key = projects.project_key
    left join vague_lists
        on vague_lists.project_key = projects.project_key
    left join missing_lists
        on missing_lists.project_key = projects.project_key
    left join missing_core_lists
        on missing_core_lists.project_key = projects.project_key
    left join money
        on money.project_key = projects.project_key
    left join rates
        on rates.project_key = projects.project_key
)

select * from final
