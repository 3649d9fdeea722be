{{ pb_incremental_by('doc_id') }}

with source as (
    select * from {{ source('perfbudget', 'report_facts') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        {{ pb_blank_to_null('fact_key') }} as fact_key,
        {{ pb_blank_to_null('value_raw') }} as value_raw,
        {{ pb_blank_to_null('unit_raw') }} as unit_raw,
        {{ pb_blank_to_null('sentence') }} as sentence,
        cast({{ pb_try_cast(pb_blank_to_null('source_line'), dbt.type_int()) }} as {{ dbt.type_int() }}) as source_line
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
