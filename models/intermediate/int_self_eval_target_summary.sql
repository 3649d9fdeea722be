-- The indicator rows of a self-evaluation table summed up, one row per table with indicator rows
-- (int_self_eval_targets): targets met / not met / not comparable / not reported, weights and
-- scores, scores above their weight, and the level-1 groups whose weights fall outside the
-- points their label announces (产出指标(70分): 70; 成本指标(0-20)分: 0 to 20).
-- A form's summary reads its own rows alone: incremental by form.
{{ pb_incremental_by('document_key') }}

with targets as (
    select * from {{ ref('int_self_eval_targets') }}{{ pb_changed_only('document_key') }}
),

-- a level-1 group with the points its label announces: `70` or a range `0-20`
announced_groups as (
    select
        document_key,
        level1,
        level1_score_raw,
        cast({{ pb_try_cast(pb_regexp_extract('level1_score_raw', '^([0-9.]+)', 1), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as points_min,
        cast({{ pb_try_cast(pb_regexp_extract('level1_score_raw', '([0-9.]+)$', 1), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as points_max,
        sum(weight) as group_weight
    from targets
    where level1_score_raw is not null
    group by document_key, level1, level1_score_raw
),

group_checks as (
    select
        document_key,
        count(*) as n_announced_groups,
        sum(case when group_weight < points_min or group_weight > points_max then 1 else 0 end) as n_groups_off_points
    from announced_groups
    where group_weight is not null and points_min is not null
    group by document_key
),

target_counts as (
    select
        document_key,
        count(*) as n_indicators,
        sum(case when target_status = 'met' then 1 else 0 end) as n_met,
        sum(case when target_status = 'not_met' then 1 else 0 end) as n_not_met,
        sum(case when target_status = 'not_comparable' then 1 else 0 end) as n_not_comparable,
        sum(case when target_status = 'not_reported' then 1 else 0 end) as n_not_reported,
        sum(weight) as indicator_weight_total,
        sum(score) as indicator_score_total,
        sum(case when is_score_above_weight then 1 else 0 end) as n_scores_above_weight
    from targets
    group by document_key
),

final as (
    select
        target_counts.*,
        group_checks.n_announced_groups,
        group_checks.n_groups_off_points
    from target_counts
    left join group_checks
        on group_checks.document_key = target_counts.document_key
)

select * from final
