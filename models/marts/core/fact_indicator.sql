{{ pb_incremental_by('document_key', post_hook='pb_relink_facts') }}

with indicators as (
    select * from {{ ref('int_indicators_linked') }}{{ pb_changed_only('doc_id') }}
),

targets as (
    select * from {{ ref('int_indicator_targets') }}{{ pb_changed_only('doc_id') }}
),

final as (
    select
        indicators.indicator_key,
        indicators.document_key,
        indicators.unit_key,
        indicators.project_key,
        indicators.linked_project_key,
        indicators.fiscal_year,
        indicators.doc_type,
        indicators.indicator_seq,
        indicators.table_seq,
        case when indicators.level1 is not null then indicators.indicator_category_key end as indicator_category_key,
        indicators.level1,
        indicators.level2,
        indicators.mapping_rule,
        indicators.level1_raw,
        indicators.level2_raw,
        indicators.duty_area,
        indicators.is_level1_consistent,
        indicators.level1_fill,
        indicators.level2_fill,
        indicators.indicator_name,
        indicators.key_work,
        indicators.linked_project_raw,
        indicators.half_year_raw,
        targets.half_year_comparator,
        targets.half_year_value_num,
        targets.half_year_value_max,
        targets.half_year_uom,
        targets.half_year_uom_source,
        targets.half_year_value_items,
        targets.half_year_value_kind,
        targets.half_year_direction,
        targets.half_year_qualitative_class,
        targets.half_year_is_vague,
        indicators.full_year_raw,
        targets.full_year_comparator,
        targets.full_year_value_num,
        targets.full_year_value_max,
        targets.full_year_uom,
        targets.full_year_uom_source,
        targets.full_year_value_items,
        targets.full_year_value_kind,
        targets.full_year_direction,
        targets.full_year_qualitative_class,
        targets.full_year_is_vague,
        targets.full_year_uom_kind,
        targets.mid_term_raw,
        targets.mid_term_comparator,
        targets.mid_term_value_num,
        targets.mid_term_value_max,
        targets.mid_term_uom,
        targets.mid_term_value_kind,
        targets.mid_term_direction,
        targets.actual_raw,
        targets.actual_comparator,
        targets.actual_value_num,
        targets.actual_value_max,
        targets.actual_uom,
        targets.actual_value_kind,
        targets.actual_direction,
        targets.completion_rate_raw,
        targets.completion_rate_pct,
        indicators.weight,
        indicators.score,
        indicators.direction_raw as direction_declared,
        indicators.standard_raw as standard,
        indicators.deviation_raw as deviation_reason,
        targets.is_multi_unit,
        targets.has_trivial_lower_bound,
        targets.is_deadline_month,
        targets.is_half_above_full,
        indicators.source_line
    from indicators
    left join targets
        on targets.indicator_key = indicators.indicator_key
)

select * from final
