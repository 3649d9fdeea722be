-- The funding arithmetic of docs/DOMAIN.md §C.2, one row per form x check. Sum checks come from seed
-- reconciliation_rules (total side = sum of its terms, per phase); H1 (half-year <= full-year on
-- every expenditure line) is added here. Status: not_applicable (the form prints no line of one
-- side), unknowable (the lines are printed but blank), pass (|difference| <= tolerance), fail.
-- Blank terms count as absent, never as 0.
with amounts as (
    select * from {{ ref('int_budget_amounts') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

rules as (
    select * from {{ ref('reconciliation_rules') }}
),

check_names as (
    select distinct check_code, check_name_zh, check_name_en, doc_type, phase from rules
),

document_checks as (
    select
        documents.document_key,
        documents.doc_type,
        check_names.check_code,
        check_names.check_name_zh,
        check_names.check_name_en,
        check_names.phase
    from documents
    inner join check_names
        on check_names.doc_type in (documents.doc_type, 'all')
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

sum_checks as (
    select
        document_checks.document_key,
        document_checks.check_code,
        document_checks.check_name_zh,
        document_checks.check_name_en,
        document_checks.phase,
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
),

line_pairs as (
    select
        half_year.document_key,
        half_year.amount_wan as half_year_wan,
        annual.amount_wan as annual_wan
    from amounts as half_year
    inner join amounts as annual
        on annual.budget_line_id = half_year.budget_line_id
        and annual.phase = 'annual_budget'
    where half_year.phase = 'half_year_plan'
      and half_year.amount_wan is not null
      and annual.amount_wan is not null
),

half_within_full as (
    select
        documents.document_key,
        'H1' as check_code,
        '半年计划执行数≤全年预算数（逐行）' as check_name_zh,
        'Half-year plan <= full-year budget on every expenditure line' as check_name_en,
        'half_year_plan' as phase,
        max(line_pairs.half_year_wan - line_pairs.annual_wan) as lhs_wan,
        cast(0 as {{ dbt.type_numeric() }}) as rhs_wan,
        case
            when count(line_pairs.document_key) = 0 then 'not_applicable'
            when max(line_pairs.half_year_wan - line_pairs.annual_wan) > {{ var('reconciliation_tolerance_wan') }} then 'fail'
            else 'pass'
        end as status
    from documents
    left join line_pairs
        on line_pairs.document_key = documents.document_key
    group by documents.document_key
),

unioned as (
    select * from sum_checks
    union all
    select * from half_within_full
),

final as (
    select
        {{ pb_key(['document_key', 'check_code']) }} as reconciliation_key,
        document_key,
        check_code,
        check_name_zh,
        check_name_en,
        phase,
        cast(lhs_wan as {{ dbt.type_numeric() }}) as lhs_wan,
        cast(rhs_wan as {{ dbt.type_numeric() }}) as rhs_wan,
        cast(lhs_wan - rhs_wan as {{ dbt.type_numeric() }}) as difference_wan,
        status
    from unioned
)

select * from final
