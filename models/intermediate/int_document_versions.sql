-- Every form with its version: a form published again for the same type, unit, project and year
-- (a revised form) replaces the earlier one, and is_latest marks the newest (first seen, then file
-- time, file name, position in the file). dim_document publishes it; the intermediate steps of the
-- analytics marts take is_latest from here.
{{ config(materialized='ephemeral') }}

with documents as (
    select * from {{ ref('int_documents_resolved') }}
),

ranked as (
    select
        documents.*,
        row_number() over (
            partition by doc_type, unit_key, coalesce(project_key, ''), fiscal_year
            order by first_seen_at desc nulls last, source_mtime desc nulls last, source_file desc, part_seq desc
        ) as version_rank
    from documents
),

final as (
    select
        ranked.*,
        case when version_rank = 1 then true else false end as is_latest
    from ranked
)

select * from final
