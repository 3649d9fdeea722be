-- The units an incremental night changes: those of the forms it replaces or removes (as the
-- published build held them, int_units_of_replaced_forms) and those of its new forms. The
-- unit-keyed models (mart_project_scorecard and its steps) delete and recompute these units' rows
-- (macros/perfbudget_incremental.sql `pb_changed_units`). Empty on a full build.
with replaced as (
    select * from {{ ref('int_units_of_replaced_forms') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

changes as (
    select * from {{ ref('stg_perfbudget__changed_documents') }}
),

new_forms_units as (
    select documents.unit_key
    from documents
    inner join changes
        on changes.doc_id = documents.doc_id
    where changes.change = 'new'
),

final as (
    select unit_key from replaced
    union
    select unit_key from new_forms_units
)

select * from final
