with source as (
    select * from {{ source('perfbudget', 'indicators') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        cast({{ pb_try_cast(pb_blank_to_null('indicator_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as indicator_seq,
        cast({{ pb_try_cast(pb_blank_to_null('table_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as table_seq,
        {{ pb_blank_to_null('level1_raw') }} as level1_raw,
        {{ pb_blank_to_null('level2_raw') }} as level2_raw,
        {{ pb_blank_to_null('level3_raw') }} as level3_raw,
        {{ pb_blank_to_null('key_work_raw') }} as key_work_raw,
        {{ pb_blank_to_null('linked_project_raw') }} as linked_project_raw,
        {{ pb_blank_to_null('half_year_raw') }} as half_year_raw,
        {{ pb_blank_to_null('full_year_raw') }} as full_year_raw,
        {{ pb_blank_to_null('level1_fill') }} as level1_fill,
        {{ pb_blank_to_null('level2_fill') }} as level2_fill,
        cast({{ pb_try_cast(pb_blank_to_null('source_line'), dbt.type_int()) }} as {{ dbt.type_int() }}) as source_line
    from source
),

final as (
    select * from renamed
)

select * from final
