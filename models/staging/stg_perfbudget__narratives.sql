{{ pb_incremental_by('doc_id') }}

with source as (
    select * from {{ source('perfbudget', 'narratives') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        {{ pb_blank_to_null('field') }} as field,
        {{ pb_blank_to_null('label_raw') }} as label_raw,
        {{ pb_blank_to_null('text') }} as narrative_text,
        cast({{ pb_try_cast(pb_blank_to_null('source_line'), dbt.type_int()) }} as {{ dbt.type_int() }}) as source_line,
        {{ pb_blank_to_null('source_ref') }} as source_ref
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
