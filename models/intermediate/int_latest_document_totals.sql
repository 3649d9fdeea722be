-- The funding totals of each latest form that states a year (int_document_budget_totals), with
-- the form's type, unit and fiscal year: what a unit-year sums.
{{ config(materialized='ephemeral') }}

with document_totals as (
    select * from {{ ref('int_document_budget_totals') }}
),

documents as (
    select * from {{ ref('int_document_versions') }}
),

latest_documents as (
    select * from documents where is_latest and fiscal_year is not null
),

final as (
    select
        document_totals.*,
        latest_documents.doc_type,
        latest_documents.unit_key,
        latest_documents.fiscal_year
    from document_totals
    inner join latest_documents
        on latest_documents.document_key = document_totals.document_key
)

select * from final
