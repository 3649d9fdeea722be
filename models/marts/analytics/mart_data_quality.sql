-- One row per data-quality finding, for the BI side: extraction issues as landed, failed or
-- unknowable reconciliations, budget lines that could not be classified or read or whose
-- total is blank, indicator rows whose taxonomy or target value needs a look, and
-- self-evaluation reports with an unreadable figure, no grade, or a grade outside its score band.
-- An indicator row gives one row per finding that applies to it. Severity and message of each
-- finding code (the message a template whose {placeholders} are the row's columns) come from seed
-- data_quality_findings.
with issues as (
    select * from {{ ref('stg_perfbudget__extraction_issues') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

reconciliation as (
    select * from {{ ref('int_budget_reconciliation') }}
),

budget_lines as (
    select * from {{ ref('fact_budget_line') }}
),

indicators as (
    select * from {{ ref('fact_indicator') }}
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

taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

extraction_findings as (
    select
        'extraction' as finding_source,
        coalesce(issues.severity, 'warning') as severity,
        coalesce(issues.issue_code, 'extraction_issue') as finding_code,
        documents.document_key,
        issues.source_file,
        issues.source_line,
        cast(null as {{ dbt.type_string() }}) as subject,
        cast(null as {{ dbt.type_string() }}) as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        issues.message
    from issues
    left join documents
        on documents.doc_id = issues.doc_id
),

reconciliation_findings as (
    select
        'reconciliation' as finding_source,
        case when reconciliation.status = 'fail' then 'warning' else 'info' end as severity,
        {{ dbt.concat(["'reconciliation_'", 'reconciliation.status', "'_'", 'reconciliation.check_code']) }} as finding_code,
        reconciliation.document_key,
        documents.source_file,
        cast(null as {{ dbt.type_int() }}) as source_line,
        {{ dbt.concat(['reconciliation.check_code', "' '", 'reconciliation.check_name_zh']) }} as subject,
        cast(reconciliation.lhs_value as {{ dbt.type_string() }}) as observed_value,
        cast(reconciliation.rhs_value as {{ dbt.type_string() }}) as expected_value,
        case
            when reconciliation.status = 'fail' then {{ dbt.concat(["'Does not reconcile: '", 'reconciliation.check_name_en', "', difference '", 'cast(reconciliation.difference as ' ~ dbt.type_string() ~ ')', "' '", 'reconciliation.difference_unit']) }}
            else {{ dbt.concat(["'Cannot be checked, amounts blank: '", 'reconciliation.check_name_en']) }}
        end as message
    from reconciliation
    inner join documents
        on documents.document_key = reconciliation.document_key
    where reconciliation.status in ('fail', 'unknowable')
),

budget_line_codes as (
    select
        budget_lines.*,
        documents.source_file,
        case
            when budget_lines.category is null then 'budget_category_unmapped'
            when budget_lines.is_unparsed then 'amount_unparsed'
            else 'amount_blank'
        end as finding_code
    from budget_lines
    inner join documents
        on documents.document_key = budget_lines.document_key
    where budget_lines.category is null
       or budget_lines.is_unparsed
       or (budget_lines.is_blank and budget_lines.phase = 'annual_budget'
           and (budget_lines.sum_role in ('total', 'subtotal') or budget_lines.direction = 'expenditure'))
),

budget_line_findings as (
    select
        findings.finding_source,
        findings.severity,
        findings.finding_code,
        budget_line_codes.document_key,
        budget_line_codes.source_file,
        budget_line_codes.source_line,
        {{ dbt.concat(['budget_line_codes.label_raw', "' / '", 'budget_line_codes.phase']) }} as subject,
        budget_line_codes.amount_raw as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        findings.message
    from budget_line_codes
    inner join findings
        on findings.finding_code = budget_line_codes.finding_code
),

indicator_rows as (
    select
        indicators.*,
        documents.source_file,
        level1_dimensions.dimension_code as level1_code,
        level2_dimensions.dimension_code as level2_code
    from indicators
    inner join documents
        on documents.document_key = indicators.document_key
    left join taxonomy as level1_dimensions
        on level1_dimensions.level1_canonical = indicators.level1
        and level1_dimensions.level2_canonical is null
    left join taxonomy as level2_dimensions
        on level2_dimensions.level1_canonical = indicators.level1
        and level2_dimensions.level2_canonical = indicators.level2
),

-- every finding of an indicator row, one row each (a row unmapped and with a >= 0 target gives two)
indicator_checks as (
    select
        indicator_rows.*,
        findings.finding_source,
        findings.severity,
        findings.finding_code,
        findings.message as message_template
    from indicator_rows
    inner join findings
        on findings.finding_source = 'indicator'
        and case findings.finding_code
            when 'taxonomy_level2_unmapped' then indicator_rows.mapping_rule in ('unmapped', 'level1_only')
            when 'linked_project_unresolved' then indicator_rows.linked_project_raw is not null and indicator_rows.linked_project_key is null
            when 'half_year_target_above_full_year' then indicator_rows.is_half_above_full
            when 'taxonomy_level1_mismatch' then indicator_rows.is_level1_consistent = false
            when 'trivial_lower_bound_zero' then indicator_rows.has_trivial_lower_bound
            when 'upper_bound_on_output_count' then indicator_rows.level2_code = 'output_quantity' and indicator_rows.full_year_comparator in ('<=', '<')
            when 'sentence_as_output_target' then indicator_rows.level1_code = 'output' and indicator_rows.full_year_qualitative_class = 'free_text'
        end
),

indicator_findings as (
    select
        finding_source,
        severity,
        finding_code,
        document_key,
        source_file,
        source_line,
        indicator_name as subject,
        {{ dbt.concat(["coalesce(half_year_raw, '')", "' | '", "coalesce(full_year_raw, '')"]) }} as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        replace(replace(replace(replace(message_template,
            '{level2_raw}', coalesce(level2_raw, '')),
            '{linked_project_raw}', coalesce(linked_project_raw, '')),
            '{level1_raw}', coalesce(level1_raw, '')),
            '{level1}', coalesce(level1, '')) as message
    from indicator_checks
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
    select * from extraction_findings
    union all
    select * from reconciliation_findings
    union all
    select * from budget_line_findings
    union all
    select * from indicator_findings
    union all
    select * from report_findings
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
