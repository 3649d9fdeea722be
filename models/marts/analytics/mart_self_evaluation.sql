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

funding_totals as (
    select * from {{ ref('int_self_eval_funding_totals') }}
),

target_summary as (
    select * from {{ ref('int_self_eval_target_summary') }}
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
        funding_totals.label_raw as total_line_label,
        funding_totals.initial_budget_wan,
        funding_totals.annual_budget_wan,
        funding_totals.executed_wan,
        cast(case
            when funding_totals.annual_budget_wan > 0
                then round(100 * funding_totals.executed_wan / funding_totals.annual_budget_wan, 2)
        end as {{ dbt.type_numeric() }}) as execution_rate_pct,
        funding_totals.rate_raw as execution_rate_printed,
        funding_totals.rate_printed_pct as execution_rate_printed_pct,
        case
            when funding_totals.rate_printed_pct is null or funding_totals.annual_budget_wan is null
                or funding_totals.annual_budget_wan = 0 or funding_totals.executed_wan is null then null
            when abs(funding_totals.rate_printed_pct - 100 * funding_totals.executed_wan / funding_totals.annual_budget_wan) <= 1
                then true
            else false
        end as is_rate_consistent,
        funding_totals.budget_weight,
        funding_totals.budget_score,
        coalesce(target_summary.n_indicators, 0) as n_indicators,
        coalesce(target_summary.n_met, 0) as n_met,
        coalesce(target_summary.n_not_met, 0) as n_not_met,
        coalesce(target_summary.n_not_comparable, 0) as n_not_comparable,
        coalesce(target_summary.n_not_reported, 0) as n_not_reported,
        target_summary.indicator_weight_total,
        target_summary.indicator_score_total,
        coalesce(target_summary.indicator_score_total, 0) + coalesce(funding_totals.budget_score, 0) as score_total,
        coalesce(target_summary.n_scores_above_weight, 0)
            + case when funding_totals.budget_score > funding_totals.budget_weight then 1 else 0 end as n_scores_above_weight,
        printed_totals.printed_total_weight,
        printed_totals.printed_total_score,
        case
            when printed_totals.printed_total_weight is null then null
            when printed_totals.printed_total_weight
                = coalesce(target_summary.indicator_weight_total, 0) + coalesce(funding_totals.budget_weight, 0) then true
            else false
        end as is_weight_total_consistent,
        case
            when printed_totals.printed_total_score is null then null
            when printed_totals.printed_total_score
                = coalesce(target_summary.indicator_score_total, 0) + coalesce(funding_totals.budget_score, 0) then true
            else false
        end as is_score_total_consistent,
        coalesce(target_summary.n_announced_groups, 0) as n_announced_groups,
        coalesce(target_summary.n_groups_off_points, 0) as n_groups_off_points
    from documents
    left join funding_totals
        on funding_totals.document_key = documents.document_key
    left join target_summary
        on target_summary.document_key = documents.document_key
    left join printed_totals
        on printed_totals.document_key = documents.document_key
    where target_summary.document_key is not null or funding_totals.document_key is not null
)

select * from final
