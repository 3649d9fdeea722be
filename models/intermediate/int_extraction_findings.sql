-- The data-quality findings of the extractor (mart_data_quality): its issues as landed in staging,
-- with the form they belong to (null for a document that was not read).
with issues as (
    select * from {{ ref('stg_perfbudget__extraction_issues') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

final as (
    select
        'extraction' as finding_source,
        coalesce(issues.severity, 'warning') as severity,
        coalesce(issues.issue_code, 'extraction_issue') as finding_code,
        documents.document_key,
        issues.source_file,
        issues.source_line,
        cast(null as {{ dbt.type_string() }}) as subject,
        cast(null as {{ dbt.type_string() }}) as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        issues.message
    from issues
    left join documents
        on documents.doc_id = issues.doc_id
)

select * from final
