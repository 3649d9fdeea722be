{{ pb_incremental_by('doc_id') }}

with source as (
    select * from {{ source('perfbudget', 'documents') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        {{ pb_blank_to_null('source_file') }} as source_file,
        {{ pb_blank_to_null('source_sha256') }} as source_sha256,
        {{ pb_blank_to_null('source_format') }} as source_format,
        cast({{ pb_try_cast(pb_blank_to_null('part_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as part_seq,
        {{ pb_blank_to_null('doc_type') }} as doc_type,
        {{ pb_blank_to_null('title') }} as title,
        cast({{ pb_try_cast(pb_blank_to_null('fiscal_year'), dbt.type_int()) }} as {{ dbt.type_int() }}) as fiscal_year,
        {{ pb_blank_to_null('region_raw') }} as region_raw,
        {{ pb_blank_to_null('unit_name') }} as unit_name,
        {{ pb_blank_to_null('supervising_dept') }} as supervising_dept,
        {{ pb_blank_to_null('implementing_unit') }} as implementing_unit,
        {{ pb_blank_to_null('project_name') }} as project_name,
        {{ pb_blank_to_null('project_type') }} as project_type,
        {{ pb_blank_to_null('project_level') }} as project_level,
        {{ pb_blank_to_null('start_raw') }} as start_raw,
        {{ pb_blank_to_null('end_raw') }} as end_raw,
        {{ pb_blank_to_null('contact_raw') }} as contact_raw,
        {{ pb_blank_to_null('amount_unit') }} as amount_unit,
        cast({{ pb_try_cast(pb_blank_to_null('line_start'), dbt.type_int()) }} as {{ dbt.type_int() }}) as line_start,
        cast({{ pb_try_cast(pb_blank_to_null('line_end'), dbt.type_int()) }} as {{ dbt.type_int() }}) as line_end,
        {{ pb_blank_to_null('ref_start') }} as ref_start,
        {{ pb_blank_to_null('extractor_version') }} as extractor_version,
        cast({{ pb_blank_to_null('first_seen_at') }} as {{ dbt.type_timestamp() }}) as first_seen_at,
        cast({{ pb_blank_to_null('source_mtime') }} as {{ dbt.type_timestamp() }}) as source_mtime
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
