{{ pb_incremental_by('document_key') }}

with amounts as (
    select * from {{ ref('int_budget_amounts') }}{{ pb_changed_only('document_key') }}
),

final as (
    select
        budget_line_key,
        document_key,
        unit_key,
        project_key,
        fiscal_year,
        doc_type,
        line_seq,
        direction,
        category,
        category_en,
        sum_role,
        category_rule,
        label_raw,
        parent_label_raw,
        phase,
        amount_wan,
        amount_raw,
        is_schedule_paced,
        is_stated_as_none,
        is_blank,
        is_unparsed,
        is_negative_allowed,
        is_negative_unexpected,
        source_line
    from amounts
)

select * from final
