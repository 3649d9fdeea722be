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
        document_key,
        doc_id,
        source_file,
        source_sha256,
        part_seq,
        doc_type,
        title,
        fiscal_year,
        region,
        region_raw,
        admin_level,
        unit_key,
        unit_name,
        project_key,
        project_name,
        amount_unit,
        line_start,
        line_end,
        source_format,
        ref_start,
        extractor_version,
        first_seen_at,
        source_mtime,
        case when version_rank = 1 then true else false end as is_latest
    from ranked
)

select * from final
