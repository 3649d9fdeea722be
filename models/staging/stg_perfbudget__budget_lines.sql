{{ pb_incremental_by('doc_id') }}

with source as (
    select * from {{ source('perfbudget', 'budget_lines') }}
),

renamed as (
    select
        {{ pb_blank_to_null('doc_id') }} as doc_id,
        cast({{ pb_try_cast(pb_blank_to_null('line_seq'), dbt.type_int()) }} as {{ dbt.type_int() }}) as line_seq,
        {{ pb_blank_to_null('direction') }} as direction,
        {{ pb_blank_to_null('label_raw') }} as label_raw,
        {{ pb_blank_to_null('parent_label_raw') }} as parent_label_raw,
        {{ pb_blank_to_null('rate_raw') }} as rate_raw,
        {{ pb_blank_to_null('weight_raw') }} as weight_raw,
        {{ pb_blank_to_null('score_raw') }} as score_raw,
        cast({{ pb_try_cast(pb_blank_to_null('source_line'), dbt.type_int()) }} as {{ dbt.type_int() }}) as source_line,
        {{ pb_blank_to_null('source_ref') }} as source_ref
    from source
),

final as (
    select * from renamed{{ pb_changed_only('doc_id') }}
)

select * from final
