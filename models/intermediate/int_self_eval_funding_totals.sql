-- The funding total of a self-evaluation table, one row per table with a funding line: its total
-- income line (sum_role total in seed budget_categories: 资金总额, 年度资金总额 …, else its first
-- line) as printed (label, 执行率, 分值, 得分) and its initial budget, annual budget and executed
-- amounts (int_budget_amounts).
{{ pb_incremental_by('document_key') }}

with documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('document_key') }}
),

budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}{{ pb_changed_only('document_key') }}
),

amounts as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_only('document_key') }}
),

self_eval_documents as (
    select * from documents
    where doc_type in ('project_self_eval', 'dept_self_eval')
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
    inner join self_eval_documents
        on self_eval_documents.document_key = budget_lines.document_key
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

final as (
    select
        total_lines.document_key,
        total_lines.label_raw,
        total_lines.rate_raw,
        total_lines.rate_printed_pct,
        total_lines.budget_weight,
        total_lines.budget_score,
        total_amounts.initial_budget_wan,
        total_amounts.annual_budget_wan,
        total_amounts.executed_wan
    from total_lines
    left join total_amounts
        on total_amounts.document_key = total_lines.document_key
)

select * from final
