-- The targets and results of an indicator row side by side, one row per indicator row: the parsed
-- half-year, full-year and 中期 targets, the achieved value and completion rate of a
-- self-evaluation (int_indicator_values_parsed), with the flags fact_indicator publishes
-- (several units, a >= 0 target, a deadline month, a half-year target above the full-year one).
{{ pb_incremental_by('doc_id') }}

with indicators as (
    select * from {{ ref('int_indicators_classified') }}{{ pb_changed_only('doc_id') }}
),

parsed_values as (
    select * from {{ ref('int_indicator_values_parsed') }}{{ pb_changed_only('doc_id') }}
),

units_of_measure as (
    select distinct uom, uom_kind from {{ ref('units_of_measure') }}
),

-- a deadline month: a 时间 indicator whose full-year value is 1 to 12 月 (seed indicator_name_roles)
deadline_role as (
    select name_text as deadline_name_text, uom as deadline_uom
    from {{ ref('indicator_name_roles') }}
    where role = 'deadline'
),

half_year as (
    select * from parsed_values where period = 'half_year' and kind = 'target'
),

full_year as (
    select * from parsed_values where period = 'full_year' and kind = 'target'
),

-- 中期 (multi-year) targets, and what a self-evaluation says was achieved (实际完成值)
mid_term as (
    select * from parsed_values where period = 'mid_term' and kind = 'target'
),

actual as (
    select * from parsed_values where period = 'full_year' and kind = 'actual'
),

-- the share of the target a self-evaluation says was achieved (完成率 / 累计完成率), as printed
completion as (
    select * from parsed_values where period = 'full_year' and kind = 'completion_rate'
),

final as (
    select
        indicators.indicator_key,
        indicators.doc_id,
        half_year.comparator as half_year_comparator,
        half_year.value_num as half_year_value_num,
        half_year.value_max as half_year_value_max,
        half_year.uom as half_year_uom,
        half_year.uom_source as half_year_uom_source,
        half_year.value_items as half_year_value_items,
        half_year.value_kind as half_year_value_kind,
        half_year.direction as half_year_direction,
        half_year.qualitative_class as half_year_qualitative_class,
        half_year.is_vague as half_year_is_vague,
        full_year.comparator as full_year_comparator,
        full_year.value_num as full_year_value_num,
        full_year.value_max as full_year_value_max,
        full_year.uom as full_year_uom,
        full_year.uom_source as full_year_uom_source,
        full_year.value_items as full_year_value_items,
        full_year.value_kind as full_year_value_kind,
        full_year.direction as full_year_direction,
        full_year.qualitative_class as full_year_qualitative_class,
        full_year.is_vague as full_year_is_vague,
        full_uom.uom_kind as full_year_uom_kind,
        mid_term.value_raw as mid_term_raw,
        mid_term.comparator as mid_term_comparator,
        mid_term.value_num as mid_term_value_num,
        mid_term.value_max as mid_term_value_max,
        mid_term.uom as mid_term_uom,
        mid_term.value_kind as mid_term_value_kind,
        mid_term.direction as mid_term_direction,
        actual.value_raw as actual_raw,
        actual.comparator as actual_comparator,
        actual.value_num as actual_value_num,
        actual.value_max as actual_value_max,
        actual.uom as actual_uom,
        actual.value_kind as actual_value_kind,
        actual.direction as actual_direction,
        completion.value_raw as completion_rate_raw,
        case when completion.uom = '%' then completion.value_num end as completion_rate_pct,
        case when half_year.is_multi_unit or full_year.is_multi_unit then true else false end as is_multi_unit,
        case when half_year.is_trivial_lower_bound or full_year.is_trivial_lower_bound then true else false end as has_trivial_lower_bound,
        case
            when full_year.uom = deadline_role.deadline_uom and full_year.value_num between 1 and 12
                and {{ dbt.position('deadline_role.deadline_name_text', 'indicators.indicator_name') }} > 0 then true
            else false
        end as is_deadline_month,
        case
            when half_year.value_kind = 'quantitative' and full_year.value_kind = 'quantitative'
                and half_year.comparator = '>=' and full_year.comparator = '>='
                and coalesce(half_year.uom, '') = coalesce(full_year.uom, '')
                and half_year.value_num > full_year.value_num then true
            else false
        end as is_half_above_full
    from indicators
    left join half_year
        on half_year.indicator_key = indicators.indicator_key
    left join full_year
        on full_year.indicator_key = indicators.indicator_key
    left join mid_term
        on mid_term.indicator_key = indicators.indicator_key
    left join actual
        on actual.indicator_key = indicators.indicator_key
    left join completion
        on completion.indicator_key = indicators.indicator_key
    cross join deadline_role
    left join units_of_measure as full_uom
        on full_uom.uom = {{ dbt.split_part('full_year.uom', "'/'", 1) }}
)

select * from final
