-- One row per data-quality finding, for the BI side: extraction issues as landed, failed or
-- unknowable reconciliations, budget lines that could not be classified or read or whose
-- total is blank, indicator rows whose taxonomy or target value needs a look, and
-- self-evaluation reports with an unreadable figure, no grade, or a grade outside its score band.
-- An indicator row gives one row per finding that applies to it (int_indicator_findings). Severity
-- and message of each finding code come from seed data_quality_findings.
with extraction_findings as (
    select * from {{ ref('int_extraction_findings') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

reconciliation_findings as (
    select * from {{ ref('int_reconciliation_findings') }}
),

budget_line_findings as (
    select * from {{ ref('int_budget_line_findings') }}
),

indicator_findings as (
    select * from {{ ref('int_indicator_findings') }}
),

report_facts as (
    select * from {{ ref('int_report_facts_parsed') }}
),

evaluations as (
    select * from {{ ref('fact_evaluation') }}
),

findings as (
    select * from {{ ref('data_quality_findings') }}
),

report_codes as (
    select
        report_facts.document_key,
        documents.source_file,
        report_facts.source_line,
        report_facts.fact_key as subject,
        report_facts.value_raw as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        'report_figure_unparsed' as finding_code
    from report_facts
    inner join documents
        on documents.document_key = report_facts.document_key
    where report_facts.is_unparsed
    union all
    select
        document_key,
        source_file,
        grade_source_line as source_line,
        'evaluation_grade' as subject,
        grade_raw as observed_value,
        score_band_grade as expected_value,
        case when has_grade then 'evaluation_grade_outside_score_band' else 'evaluation_grade_missing' end as finding_code
    from evaluations
    where not has_grade or is_grade_consistent_with_score = false
),

report_findings as (
    select
        findings.finding_source,
        findings.severity,
        findings.finding_code,
        report_codes.document_key,
        report_codes.source_file,
        report_codes.source_line,
        report_codes.subject,
        report_codes.observed_value,
        report_codes.expected_value,
        findings.message
    from report_codes
    inner join findings
        on findings.finding_code = report_codes.finding_code
),

unioned as (
    {%- for findings_cte in ['extraction_findings', 'reconciliation_findings', 'budget_line_findings', 'indicator_findings', 'report_findings'] %}
    select
        finding_source, severity, finding_code, document_key, source_file, source_line,
        subject, observed_value, expected_value, message
    from {{ findings_cte }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

final as (
    select
        {{ pb_key(['unioned.finding_source', 'unioned.finding_code', 'unioned.source_file', 'unioned.document_key', 'unioned.source_line', 'unioned.subject', 'unioned.message']) }} as finding_key,
        unioned.finding_source,
        unioned.severity,
        unioned.finding_code,
        unioned.document_key,
        documents.unit_key,
        documents.project_key,
        documents.fiscal_year,
        documents.doc_type,
        unioned.source_file,
        unioned.source_line,
        documents.unit_name,
        documents.project_name,
        unioned.subject,
        unioned.observed_value,
        unioned.expected_value,
        unioned.message
    from unioned
    left join documents
        on documents.document_key = unioned.document_key
)

select * from final
