-- One row per form with its conformed keys and region: document_key from (sha256, part_seq),
-- unit_key from the unit name, project_key for project forms (target and self-evaluation), region from seed regions
-- (matched on region_raw or a unit-name prefix; a match with a district wins, then an exact
-- region_raw match, then the longest text; a bare level such as 区级 only gives admin_level).
{{ pb_incremental_by('doc_id') }}
-- depends_on: {{ ref('int_units_of_replaced_forms') }} (it reads the old forms' rows before the delete)

with documents as (
    select * from {{ ref('stg_perfbudget__documents') }}{{ pb_changed_only('doc_id') }}
),

regions as (
    select * from {{ ref('regions') }}
),

keyed as (
    select
        documents.*,
        {{ pb_name_key('documents.unit_name') }} as unit_name_key,
        {{ pb_name_key('documents.project_name') }} as project_name_key
    from documents
),

region_candidates as (
    select
        keyed.doc_id,
        regions.region,
        regions.province,
        regions.city,
        regions.district,
        regions.admin_level,
        row_number() over (
            partition by keyed.doc_id
            order by
                case when regions.district is null then 1 else 0 end,
                case when regions.city is null then 1 else 0 end,
                case when regions.match_text = keyed.region_raw then 0 else 1 end,
                {{ dbt.length('regions.match_text') }} desc
        ) as match_rank
    from keyed
    inner join regions
        on regions.match_text = keyed.region_raw
        or {{ dbt.position('regions.match_text', 'keyed.unit_name') }} = 1
),

best_region as (
    select * from region_candidates where match_rank = 1
),

resolved as (
    select
        {{ pb_key(['keyed.source_sha256', 'keyed.part_seq']) }} as document_key,
        keyed.doc_id,
        keyed.source_file,
        keyed.source_sha256,
        keyed.part_seq,
        keyed.doc_type,
        keyed.title,
        keyed.fiscal_year,
        keyed.region_raw,
        best_region.region,
        best_region.province,
        best_region.city,
        best_region.district,
        best_region.admin_level,
        keyed.unit_name,
        keyed.unit_name_key,
        {{ pb_key(['keyed.unit_name_key']) }} as unit_key,
        keyed.supervising_dept,
        keyed.implementing_unit,
        keyed.project_name,
        keyed.project_name_key,
        case
            when keyed.doc_type in ('project_target', 'project_self_eval') and keyed.project_name is not null
                then {{ pb_key(['keyed.unit_name_key', 'keyed.fiscal_year', 'keyed.project_name_key']) }}
        end as project_key,
        keyed.project_type,
        keyed.project_level,
        keyed.start_raw,
        keyed.end_raw,
        keyed.contact_raw,
        keyed.amount_unit,
        keyed.line_start,
        keyed.line_end,
        keyed.source_format,
        keyed.ref_start,
        keyed.extractor_version,
        keyed.first_seen_at,
        keyed.source_mtime
    from keyed
    left join best_region
        on best_region.doc_id = keyed.doc_id
),

final as (
    select * from resolved
)

select * from final
