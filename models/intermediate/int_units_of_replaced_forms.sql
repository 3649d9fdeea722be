-- The units of the forms an incremental build replaces or removes, as the published build holds
-- them: the unit-keyed models (mart_project_scorecard) recompute these units and the units of the
-- new forms (macros/perfbudget_incremental.sql `pb_changed_units`). It reads int_documents_resolved
-- as the build's copy of the published file holds it, before that model deletes the old forms'
-- rows: int_documents_resolved runs after this model (its `depends_on`), and the table is named
-- through the graph, not ref(), which would make a cycle. Empty on a full build (a new file).
{%- set published_documents = pb_existing_relation('int_documents_resolved') %}

with changes as (
    select * from {{ ref('stg_perfbudget__changed_documents') }}
),

{% if published_documents is not none -%}
published_documents as (
    select * from {{ published_documents }}
),

replaced as (
    select distinct published_documents.unit_key
    from published_documents
    inner join changes
        on changes.doc_id = published_documents.doc_id
    where changes.change = 'old'
),
{%- else -%}
replaced as (
    select cast(null as {{ dbt.type_string() }}) as unit_key
    from changes
    where false
),
{%- endif %}

final as (
    select * from replaced
)

select * from final
