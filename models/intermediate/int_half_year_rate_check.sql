-- Check H2 (docs/DOMAIN.md §C.2/§C.3), one row per project target form: the half-year target of its
-- 预算执行率 indicator against the half-year spending plan share = 100 x half-year plan /
-- full-year budget (the expenditure lines' full-year sum, else 资金总额 when that is blank, as for
-- 办公设备购置). Department forms repeat full-year targets as half-year ones, so they are left out.
{{ pb_incremental_by('document_key') }}

with documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

amounts as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_only('doc_id') }}
),

indicators as (
    select * from {{ ref('int_indicators_classified') }}{{ pb_changed_only('doc_id') }}
),

parsed_values as (
    select * from {{ ref('int_indicator_values_parsed') }}{{ pb_changed_only('doc_id') }}
),

-- the 三级 indicator whose half-year target is checked (seed indicator_name_roles: 预算执行率)
rate_indicator_names as (
    select name_text from {{ ref('indicator_name_roles') }} where role = 'budget_execution_rate'
),

plans as (
    select
        document_key,
        sum(case when direction = 'expenditure' and phase = 'half_year_plan' then amount_wan end) as half_year_plan_wan,
        sum(case when direction = 'expenditure' and phase = 'half_year_plan' and is_schedule_paced then 1 else 0 end) as n_schedule_paced,
        sum(case when direction = 'expenditure' and phase = 'annual_budget' then amount_wan end) as expenditure_annual_wan,
        sum(case when category_code = 'total_funds' and phase = 'annual_budget' then amount_wan end) as total_funds_wan
    from amounts
    group by document_key
),

rate_targets as (
    select
        indicators.document_key,
        max(parsed_values.value_raw) as rate_target_raw,
        max(parsed_values.value_kind) as rate_target_kind,
        max(case when parsed_values.uom = '%' then parsed_values.value_num end) as rate_target_pct
    from indicators
    inner join parsed_values
        on parsed_values.indicator_key = indicators.indicator_key
        and parsed_values.period = 'half_year'
        and parsed_values.kind = 'target'
    inner join rate_indicator_names
        on rate_indicator_names.name_text = indicators.indicator_name
    group by indicators.document_key
),

shares as (
    select
        documents.document_key,
        plans.half_year_plan_wan,
        coalesce(plans.expenditure_annual_wan, plans.total_funds_wan) as annual_budget_wan,
        plans.n_schedule_paced,
        rate_targets.rate_target_raw,
        rate_targets.rate_target_kind,
        rate_targets.rate_target_pct,
        case
            when coalesce(plans.expenditure_annual_wan, plans.total_funds_wan) > 0
                then cast(round(100 * cast(plans.half_year_plan_wan as {{ dbt.type_numeric() }})
                    / coalesce(plans.expenditure_annual_wan, plans.total_funds_wan), 2) as {{ dbt.type_numeric() }})
        end as half_year_plan_share_pct
    from documents
    left join plans
        on plans.document_key = documents.document_key
    left join rate_targets
        on rate_targets.document_key = documents.document_key
    where documents.doc_type = 'project_target'
),

final as (
    select
        document_key,
        half_year_plan_wan,
        annual_budget_wan,
        half_year_plan_share_pct,
        rate_target_raw,
        rate_target_kind,
        rate_target_pct,
        cast(rate_target_pct - half_year_plan_share_pct as {{ dbt.type_numeric() }}) as difference_pct,
        case
            when rate_target_pct is null or half_year_plan_share_pct is null then 'not_applicable'
            when abs(rate_target_pct - half_year_plan_share_pct) <= {{ var('half_year_rate_tolerance_pct') }} then 'pass'
            else 'fail'
        end as status
    from shares
)

select * from final
