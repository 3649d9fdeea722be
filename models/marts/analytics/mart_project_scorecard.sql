-- One row per project per fiscal year: how good its targets are. Indicators are the project's own
-- target-form rows, or for a project named only as a budget line the 履职 rows whose 对应项目
-- links to it (indicator_source).
-- The steps: int_project_indicators_scored (the latest rows a project is scored on, coded),
-- int_project_indicator_counts, int_project_missing_dimensions, int_project_budget_totals.
-- Recomputed by unit on an incremental night (macros/perfbudget_incremental.sql): a project's rows
-- come from its unit's forms of its year only, and its unit name from all its unit's forms.
{{ pb_incremental_by_unit() }}

with projects as (
    select * from {{ ref('dim_project') }}{{ pb_changed_units_only('unit_key') }}
),

counts as (
    select * from {{ ref('int_project_indicator_counts') }}
),

missing_lists as (
    select * from {{ ref('int_project_missing_dimensions') }}
),

money as (
    select * from {{ ref('int_project_budget_totals') }}
),

half_year_rate as (
    select * from {{ ref('int_half_year_rate_check') }}{{ pb_changed_units_only('document_key', documents=true) }}
),

documents as (
    select * from {{ ref('dim_document') }}{{ pb_changed_units_only('unit_key') }}
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
        missing_lists.missing_core_dimensions,
        cast(coalesce(counts.n_vague, 0) as {{ dbt.type_int() }}) as n_vague,
        counts.vague_values,
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
    left join missing_lists
        on missing_lists.project_key = projects.project_key
    left join money
        on money.project_key = projects.project_key
    left join rates
        on rates.project_key = projects.project_key
)

select * from final
