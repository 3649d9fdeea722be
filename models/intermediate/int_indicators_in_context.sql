-- One row per indicator row of staging with its context: the form it is on (int_documents_resolved),
-- its half-year and full-year targets as printed, and the comparable keys of its raw level 1 and
-- level 2 (printed weight such as (20分) stripped) that int_indicators_classified looks up.
{{ pb_incremental_by('doc_id') }}

with indicators as (
    select * from {{ ref('stg_perfbudget__indicators') }}{{ pb_changed_only('doc_id') }}
),

indicator_values as (
    select * from {{ ref('stg_perfbudget__indicator_values') }}{{ pb_changed_only('doc_id') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

-- the half-year and full-year targets beside their row (indicator_values.csv holds one row per
-- printed value cell group; a period the template does not print stays null)
targets as (
    select
        doc_id,
        indicator_seq,
        max(case when period = 'half_year' then value_raw end) as half_year_raw,
        max(case when period = 'full_year' then value_raw end) as full_year_raw
    from indicator_values
    where kind = 'target'
    group by doc_id, indicator_seq
),

final as (
    select
        indicators.*,
        targets.half_year_raw,
        targets.full_year_raw,
        {{ pb_regexp_replace(pb_name_key('indicators.level1_raw'), pb_score_range_suffix_pattern(), '') }} as level1_key,
        {{ pb_regexp_replace(pb_name_key('indicators.level2_raw'), pb_score_range_suffix_pattern(), '') }} as level2_key,
        documents.document_key,
        documents.doc_type,
        documents.fiscal_year,
        documents.unit_key,
        documents.unit_name_key,
        documents.project_key
    from indicators
    inner join documents
        on documents.doc_id = indicators.doc_id
    left join targets
        on targets.doc_id = indicators.doc_id
        and targets.indicator_seq = indicators.indicator_seq
)

select * from final
