{{ pb_incremental_by('doc_id') }}

with source as (
    select * from {{ source('perfbudget', 'budget_amounts') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        cast({{ pb_try_cast(pb_blank_to_null('line_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as line_seq,
        {{ pb_blank_to_null('phase') }} as phase,
        {{ pb_blank_to_null('amount_raw') }} as amount_raw,
        {{ pb_blank_to_null('amount_unit') }} as amount_unit,
        {{ pb_blank_to_null('source_ref') }} as source_ref
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
