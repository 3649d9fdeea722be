-- The data-quality findings of budget lines (mart_data_quality): a label that matches no category,
-- an amount that is no number, a total / subtotal / full-year expenditure left blank. One row per
-- line x phase with a finding; severity and message from seed data_quality_findings.
{{ pb_incremental_by('document_key') }}

with budget_lines as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_only('doc_id') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

findings as (
    select * from {{ ref('data_quality_findings') }}
),

budget_line_codes as (
    select
        budget_lines.*,
        documents.source_file,
        case
            when budget_lines.category is null then 'budget_category_unmapped'
            when budget_lines.is_unparsed then 'amount_unparsed'
            else 'amount_blank'
        end as finding_code
    from budget_lines
    inner join documents
        on documents.document_key = budget_lines.document_key
    where budget_lines.category is null
       or budget_lines.is_unparsed
       or (budget_lines.is_blank and budget_lines.phase = 'annual_budget'
           and (budget_lines.sum_role in ('total', 'subtotal') or budget_lines.direction = 'expenditure'))
),

final as (
    select
        budget_line_codes.budget_line_key,
        findings.finding_source,
        findings.severity,
        findings.finding_code,
        budget_line_codes.document_key,
        budget_line_codes.source_file,
        budget_line_codes.source_line,
        {{ dbt.concat(['budget_line_codes.label_raw', "' / '", 'budget_line_codes.phase']) }} as subject,
        budget_line_codes.amount_raw as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        findings.message
    from budget_line_codes
    inner join findings
        on findings.finding_code = budget_line_codes.finding_code
)

select * from final
