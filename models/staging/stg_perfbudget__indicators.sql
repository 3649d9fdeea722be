{{ pb_incremental_by('doc_id') }}

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
        {{ pb_blank_to_null('weight_raw') }} as weight_raw,
        {{ pb_blank_to_null('direction_raw') }} as direction_raw,
        {{ pb_blank_to_null('standard_raw') }} as standard_raw,
        {{ pb_blank_to_null('score_raw') }} as score_raw,
        {{ pb_blank_to_null('deviation_raw') }} as deviation_raw,
        {{ pb_blank_to_null('level1_score_raw') }} as level1_score_raw,
        {{ pb_blank_to_null('level2_score_raw') }} as level2_score_raw,
        {{ pb_blank_to_null('level1_fill') }} as level1_fill,
        {{ pb_blank_to_null('level2_fill') }} as level2_fill,
        cast({{ pb_try_cast(pb_blank_to_null('source_line'), dbt.type_int()) }} as {{ dbt.type_int() }}) as source_line,
        {{ pb_blank_to_null('source_ref') }} as source_ref
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
