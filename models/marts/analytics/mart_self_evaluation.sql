-- One row per self-evaluation table (项目支出绩效自评表, and department-wide ones): budget
-- execution (执行数 / 全年预算数) computed and as printed, each target against its actual, scores
-- against weights, and the checks a reviewer makes: no score above its weight, the printed
-- 执行率 equal to 执行数 ÷ 全年预算数 (to the printed precision, one percentage point), the
-- weights and scores adding up to the total row the table prints (合计 / 总分: report facts
-- printed_total_weight / printed_total_score), and each level-1 group's weights within the
-- points its label announces (产出指标(70分): 70; 成本指标(0-20)分: 0 to 20).
-- The funding total is the form's total income line (sum_role total in seed budget_categories:
-- 资金总额, 年度资金总额 …), else its first line. Forms with neither indicators nor funding lines
-- (a prose self-evaluation report) are in fact_evaluation, not here.
with documents as (
    select * from {{ ref('int_documents_resolved') }}
    where doc_type in ('project_self_eval', 'dept_self_eval')
),

budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}
),

amounts as (
    select * from {{ ref('int_budget_amounts') }}
),

targets as (
    select * from {{ ref('int_self_eval_targets') }}
),

report_facts as (
    select * from {{ ref('int_report_facts_parsed') }}
),

printed_totals as (
    select
        document_key,
        sum(case when base_fact_key = 'printed_total_weight' then value_num end) as printed_total_weight,
        sum(case when base_fact_key = 'printed_total_score' then value_num end) as printed_total_score
    from report_facts
    where base_fact_key in ('printed_total_weight', 'printed_total_score')
    group by document_key
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

ranked_lines as (
    select
        budget_lines.document_key,
        budget_lines.doc_id,
        budget_lines.line_seq,
        budget_lines.label_raw,
        budget_lines.rate_raw,
        budget_lines.rate_printed_pct,
        budget_lines.weight,
        budget_lines.score,
        row_number() over (
            partition by budget_lines.document_key
            order by case when budget_lines.sum_role = 'total' and budget_lines.direction = 'income' then 0 else 1 end,
                budget_lines.line_seq
        ) as line_rank
    from budget_lines
    inner join documents
        on documents.document_key = budget_lines.document_key
),

total_lines as (
    select
        document_key,
        line_seq,
        label_raw,
        rate_raw,
        weight as budget_weight,
        score as budget_score,
        rate_printed_pct
    from ranked_lines
    where line_rank = 1
),

total_amounts as (
    select
        total_lines.document_key,
        max(case when amounts.phase = 'initial_budget' then amounts.amount_wan end) as initial_budget_wan,
        max(case when amounts.phase = 'annual_budget' then amounts.amount_wan end) as annual_budget_wan,
        max(case when amounts.phase = 'executed' then amounts.amount_wan end) as executed_wan
    from total_lines
    inner join amounts
        on amounts.document_key = total_lines.document_key
        and amounts.line_seq = total_lines.line_seq
    group by total_lines.document_key
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
        documents.document_key,
        documents.doc_type,
        documents.unit_key,
        documents.project_key,
        documents.fiscal_year,
        documents.unit_name,
        documents.project_name,
        documents.source_file,
        total_lines.label_raw as total_line_label,
        total_amounts.initial_budget_wan,
        total_amounts.annual_budget_wan,
        total_amounts.executed_wan,
        cast(case
            when total_amounts.annual_budget_wan > 0
                then round(100 * total_amounts.executed_wan / total_amounts.annual_budget_wan, 2)
        end as {{ dbt.type_numeric() }}) as execution_rate_pct,
        total_lines.rate_raw as execution_rate_printed,
        total_lines.rate_printed_pct as execution_rate_printed_pct,
        case
            when total_lines.rate_printed_pct is null or total_amounts.annual_budget_wan is null
                or total_amounts.annual_budget_wan = 0 or total_amounts.executed_wan is null then null
            when abs(total_lines.rate_printed_pct - 100 * total_amounts.executed_wan / total_amounts.annual_budget_wan) <= 1
                then true
            else false
        end as is_rate_consistent,
        total_lines.budget_weight,
        total_lines.budget_score,
        coalesce(target_counts.n_indicators, 0) as n_indicators,
        coalesce(target_counts.n_met, 0) as n_met,
        coalesce(target_counts.n_not_met, 0) as n_not_met,
        coalesce(target_counts.n_not_comparable, 0) as n_not_comparable,
        coalesce(target_counts.n_not_reported, 0) as n_not_reported,
        target_counts.indicator_weight_total,
        target_counts.indicator_score_total,
        coalesce(target_counts.indicator_score_total, 0) + coalesce(total_lines.budget_score, 0) as score_total,
        coalesce(target_counts.n_scores_above_weight, 0)
            + case when total_lines.budget_score > total_lines.budget_weight then 1 else 0 end as n_scores_above_weight,
        printed_totals.printed_total_weight,
        printed_totals.printed_total_score,
        case
            when printed_totals.printed_total_weight is null then null
            when printed_totals.printed_total_weight
                = coalesce(target_counts.indicator_weight_total, 0) + coalesce(total_lines.budget_weight, 0) then true
            else false
        end as is_weight_total_consistent,
        case
            when printed_totals.printed_total_score is null then null
            when printed_totals.printed_total_score
                = coalesce(target_counts.indicator_score_total, 0) + coalesce(total_lines.budget_score, 0) then true
            else false
        end as is_score_total_consistent,
        coalesce(group_checks.n_announced_groups, 0) as n_announced_groups,
        coalesce(group_checks.n_groups_off_points, 0) as n_groups_off_points
    from documents
    left join total_lines
        on total_lines.document_key = documents.document_key
    left join total_amounts
        on total_amounts.document_key = documents.document_key
    left join target_counts
        on target_counts.document_key = documents.document_key
    left join printed_totals
        on printed_totals.document_key = documents.document_key
    left join group_checks
        on group_checks.document_key = documents.document_key
    where target_counts.document_key is not null or total_lines.document_key is not null
)

select * from final
