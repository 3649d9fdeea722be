with documents as (
    select * from {{ ref('int_document_versions') }}
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
        is_latest
    from documents
)

select * from final
