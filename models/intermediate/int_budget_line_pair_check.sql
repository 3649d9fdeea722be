-- Check H1 (docs/DOMAIN.md §C.2), one row per form: the half-year plan stays within the full-year
-- budget on every expenditure line (the seed's check of side line_pair). lhs is the largest
-- half-minus-full excess over the lines with both amounts; not_applicable when no line has both.
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

line_pair_check as (
    select distinct check_code from rules where side = 'line_pair'
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

excesses as (
    select
        documents.document_key,
        count(line_pairs.document_key) as n_line_pairs,
        max(line_pairs.half_year_wan - line_pairs.annual_wan) as max_excess_wan
    from documents
    left join line_pairs
        on line_pairs.document_key = documents.document_key
    group by documents.document_key
),

final as (
    select
        excesses.document_key,
        line_pair_check.check_code,
        excesses.max_excess_wan as lhs_wan,
        cast(0 as {{ dbt.type_numeric() }}) as rhs_wan,
        case
            when excesses.n_line_pairs = 0 then 'not_applicable'
            when excesses.max_excess_wan > {{ var('reconciliation_tolerance_wan') }} then 'fail'
            else 'pass'
        end as status
    from excesses
    cross join line_pair_check
)

select * from final
