{{ pb_incremental_by('source_file') }}

with source as (
    select * from {{ source('perfbudget', 'extraction_issues') }}
),

renamed as (
    select
        {{ pb_blank_to_null('source_file') }} as source_file,
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        {{ pb_blank_to_null('severity') }} as severity,
        {{ pb_blank_to_null('code') }} as issue_code,
        {{ pb_blank_to_null('message') }} as message,
        cast({{ pb_try_cast(pb_blank_to_null('source_line'), dbt.type_int()) }} as {{ dbt.type_int() }}) as source_line,
        {{ pb_blank_to_null('source_ref') }} as source_ref
    from source
),

final as (
    select * from renamed{{ pb_changed_only('source_file') }}
)

select * from final
