-- The sum checks of docs/DOMAIN.md §C.2, one row per form x check: the checks of seed
-- reconciliation_rules with a total and term side (I1 I2 E1 E2 E2H S1 S2; total side = sum of its
-- terms, per phase). Status: not_applicable (the form prints no line of one side), unknowable
-- (the lines are printed but blank), pass (|difference| <= tolerance), fail. Blank terms count
-- as absent, never as 0.
{{ pb_incremental_by('document_key') }}

with amounts as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_only('doc_id') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

rules as (
    select * from {{ ref('reconciliation_rules') }}
),

-- the sum checks and the form types each applies to
sum_check_types as (
    select distinct check_code, doc_type
    from rules
    where side in ('total', 'term')
),

document_checks as (
    select
        documents.document_key,
        sum_check_types.check_code
    from documents
    inner join sum_check_types
        on sum_check_types.doc_type in (documents.doc_type, 'all')
),

rule_amounts as (
    select
        amounts.document_key,
        rules.check_code,
        rules.side,
        amounts.amount_wan
    from amounts
    inner join documents
        on documents.document_key = amounts.document_key
    inner join rules
        on rules.category = amounts.category
        and rules.phase = amounts.phase
        and rules.doc_type in (documents.doc_type, 'all')
),

sides as (
    select
        document_key,
        check_code,
        sum(case when side = 'total' then 1 else 0 end) as n_total_lines,
        sum(case when side = 'total' and amount_wan is not null then 1 else 0 end) as n_total_amounts,
        sum(case when side = 'total' then amount_wan end) as total_wan,
        sum(case when side = 'term' then 1 else 0 end) as n_term_lines,
        sum(case when side = 'term' and amount_wan is not null then 1 else 0 end) as n_term_amounts,
        sum(case when side = 'term' then amount_wan end) as terms_wan
    from rule_amounts
    group by document_key, check_code
),

final as (
    select
        document_checks.document_key,
        document_checks.check_code,
        sides.total_wan as lhs_wan,
        sides.terms_wan as rhs_wan,
        case
            when coalesce(sides.n_total_lines, 0) = 0 or coalesce(sides.n_term_lines, 0) = 0 then 'not_applicable'
            when sides.n_total_amounts = 0 or sides.n_term_amounts = 0 then 'unknowable'
            when abs(sides.total_wan - sides.terms_wan) <= {{ var('reconciliation_tolerance_wan') }} then 'pass'
            else 'fail'
        end as status
    from document_checks
    left join sides
        on sides.document_key = document_checks.document_key
        and sides.check_code = document_checks.check_code
)

select * from final
