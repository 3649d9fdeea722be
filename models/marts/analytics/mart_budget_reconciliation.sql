{{ pb_incremental_by('document_key') }}

with reconciliation as (
    select * from {{ ref('int_budget_reconciliation') }}{{ pb_changed_only('document_key') }}
),

documents as (
    select * from {{ ref('dim_document') }}{{ pb_changed_only('document_key') }}
),

final as (
    select
        reconciliation.reconciliation_key,
        reconciliation.document_key,
        documents.unit_key,
        documents.project_key,
        documents.fiscal_year,
        documents.doc_type,
        documents.source_file,
        documents.unit_name,
        documents.project_name,
        reconciliation.check_code,
        reconciliation.check_name_zh,
        reconciliation.check_name_en,
        reconciliation.phase,
        reconciliation.lhs_value,
        reconciliation.rhs_value,
        reconciliation.difference,
        reconciliation.difference_unit,
        reconciliation.status,
        case reconciliation.status when 'pass' then true when 'fail' then false end as is_passed
    from reconciliation
    inner join documents
        on documents.document_key = reconciliation.document_key
)

select * from final
