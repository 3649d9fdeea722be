-- One row per indicator row of a self-evaluation table (project_self_eval, dept_self_eval): its
-- full-year target beside what the form says was achieved (实际完成值), judged as a reviewer would:
-- met / not_met when both are numbers in the same unit (the comparator decides; no comparator
-- means the target is a floor), met when a qualitative actual repeats the target word,
-- not_comparable otherwise, not_reported when no actual is printed; and the row's score against
-- its weight. Each form's rows come from its own rows alone: incremental by form.
{{ pb_incremental_by('document_key') }}

with documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

indicators as (
    select * from {{ ref('int_indicators_classified') }}{{ pb_changed_only('doc_id') }}
),

parsed_values as (
    select * from {{ ref('int_indicator_values_parsed') }}{{ pb_changed_only('doc_id') }}
),

self_eval_documents as (
    select * from documents
    where doc_type in ('project_self_eval', 'dept_self_eval')
),

targets as (
    select * from parsed_values where period = 'full_year' and kind = 'target'
),

actuals as (
    select * from parsed_values where period = 'full_year' and kind = 'actual'
),

paired as (
    select
        indicators.indicator_key,
        indicators.document_key,
        indicators.indicator_seq,
        indicators.level1,
        indicators.level2,
        indicators.level1_score_raw,
        indicators.level2_score_raw,
        indicators.indicator_name,
        targets.value_raw as target_raw,
        targets.comparator as target_comparator,
        targets.value_num as target_value_num,
        targets.uom as target_uom,
        targets.value_kind as target_value_kind,
        actuals.value_raw as actual_raw,
        actuals.value_num as actual_value_num,
        actuals.uom as actual_uom,
        actuals.value_kind as actual_value_kind,
        indicators.weight,
        indicators.score,
        indicators.deviation_raw as deviation_reason
    from indicators
    inner join self_eval_documents
        on self_eval_documents.document_key = indicators.document_key
    left join targets
        on targets.indicator_key = indicators.indicator_key
    left join actuals
        on actuals.indicator_key = indicators.indicator_key
),

comparable as (
    select
        paired.*,
        case
            when target_value_kind = 'quantitative' and actual_value_kind = 'quantitative'
                and target_value_num is not null and actual_value_num is not null
                and coalesce(actual_uom, target_uom, '') = coalesce(target_uom, actual_uom, '') then true
            else false
        end as is_numeric_pair
    from paired
),

judged as (
    select
        comparable.*,
        case
            when actual_raw is null then 'not_reported'
            when is_numeric_pair and coalesce(target_comparator, '>=') = '>='
                then case when actual_value_num >= target_value_num then 'met' else 'not_met' end
            when is_numeric_pair and target_comparator = '>'
                then case when actual_value_num > target_value_num then 'met' else 'not_met' end
            when is_numeric_pair and target_comparator = '<='
                then case when actual_value_num <= target_value_num then 'met' else 'not_met' end
            when is_numeric_pair and target_comparator = '<'
                then case when actual_value_num < target_value_num then 'met' else 'not_met' end
            when is_numeric_pair and target_comparator = '='
                then case when actual_value_num = target_value_num then 'met' else 'not_met' end
            when target_value_kind = 'qualitative' and {{ pb_name_key('actual_raw') }} = {{ pb_name_key('target_raw') }}
                then 'met'
            else 'not_comparable'
        end as target_status,
        case when score is not null and weight is not null and score > weight then true else false end as is_score_above_weight
    from comparable
),

final as (
    select
        indicator_key,
        document_key,
        indicator_seq,
        level1,
        level2,
        level1_score_raw,
        level2_score_raw,
        indicator_name,
        target_raw,
        target_comparator,
        target_value_num,
        target_uom,
        actual_raw,
        actual_value_num,
        actual_uom,
        target_status,
        weight,
        score,
        is_score_above_weight,
        deviation_reason
    from judged
)

select * from final
