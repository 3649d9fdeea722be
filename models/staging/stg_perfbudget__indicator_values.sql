{{ pb_incremental_by('doc_id') }}

with source as (
    select * from {{ source('perfbudget', 'indicator_values') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        cast({{ pb_try_cast(pb_blank_to_null('indicator_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as indicator_seq,
        {{ pb_blank_to_null('period') }} as period,
        {{ pb_blank_to_null('kind') }} as kind,
        {{ pb_blank_to_null('value_raw') }} as value_raw,
        {{ pb_blank_to_null('comparator_raw') }} as comparator_raw,
        {{ pb_blank_to_null('number_raw') }} as number_raw,
        {{ pb_blank_to_null('unit_raw') }} as unit_raw,
        {{ pb_blank_to_null('source_ref') }} as source_ref
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
