-- The forms and files an incremental build replaces or removes (staging/changed_documents.csv,
-- written by the lander against the published build: flows/delta.py). Empty on a full build.
-- document_key is computed here with the same macro as int_documents_resolved, so models keyed
-- by document_key delete exactly the rows of these forms.
with source as (
    select * from {{ source('perfbudget', 'changed_documents') }}
),

renamed as (
    select
        {{ pb_blank_to_null('source_file') }} as source_file,
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        {{ pb_blank_to_null('source_sha256') }} as source_sha256,
        cast({{ pb_try_cast(pb_blank_to_null('part_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as part_seq,
        {{ pb_blank_to_null('change') }} as change
    from source
),

keyed as (
    select
        source_file,
        doc_id,
        case when doc_id is not null then {{ pb_key(['source_sha256', 'part_seq']) }} end as document_key,
        change
    from renamed
),

final as (
    select * from keyed
)

select * from final
