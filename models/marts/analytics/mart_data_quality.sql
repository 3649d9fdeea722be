-- One row per data-quality finding, for the BI side: extraction issues as landed, failed or
-- unknowable reconciliations, budget lines that could not be classified or read or whose
-- total is blank, indicator rows whose taxonomy or target value needs a look, and
-- self-evaluation reports with an unreadable figure, no grade, or a grade outside its score band.
with issues as (
    select * from {{ ref('stg_perfbudget__extraction_issues') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

reconciliation as (
    select * from {{ ref('mart_budget_reconciliation') }}
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
        case when status = 'fail' then 'warning' else 'info' end as severity,
        {{ dbt.concat(["'reconciliation_'", 'status', "'_'", 'check_code']) }} as finding_code,
        document_key,
        source_file,
        cast(null as {{ dbt.type_int() }}) as source_line,
        {{ dbt.concat(['check_code', "' '", 'check_name_zh']) }} as subject,
        cast(lhs_value as {{ dbt.type_string() }}) as observed_value,
        cast(rhs_value as {{ dbt.type_string() }}) as expected_value,
        case
            when status = 'fail' then {{ dbt.concat(["'Does not reconcile: '", 'check_name_en', "', difference '", 'cast(difference as ' ~ dbt.type_string() ~ ')', "' '", 'difference_unit']) }}
            else {{ dbt.concat(["'Cannot be checked, amounts blank: '", 'check_name_en']) }}
        end as message
    from reconciliation
    where status in ('fail', 'unknowable')
),

budget_line_findings as (
    select
        'budget_line' as finding_source,
        case when category is null or is_unparsed then 'warning' else 'info' end as severity,
        case
            when category is null then 'budget_category_unmapped'
            when is_unparsed then 'amount_unparsed'
            else 'amount_blank'
        end as finding_code,
        budget_lines.document_key,
        documents.source_file,
        budget_lines.source_line,
        {{ dbt.concat(['budget_lines.label_raw', "' / '", 'budget_lines.phase']) }} as subject,
        budget_lines.amount_raw as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        case
            when category is null then 'Budget line label matches no category of seed budget_categories'
            when is_unparsed then 'Amount is neither a number nor 序时进度'
            else 'Total, subtotal or full-year expenditure amount left blank in the document (kept null, not 0)'
        end as message
    from budget_lines
    inner join documents
        on documents.document_key = budget_lines.document_key
    where budget_lines.category is null
       or budget_lines.is_unparsed
       or (budget_lines.is_blank and budget_lines.phase = 'annual_budget'
           and (budget_lines.sum_role in ('total', 'subtotal') or budget_lines.direction = 'expenditure'))
),

indicator_checks as (
    select
        indicators.*,
        documents.source_file,
        case
            when indicators.mapping_rule in ('unmapped', 'level1_only') then 'taxonomy_level2_unmapped'
            when indicators.linked_project_raw is not null and indicators.linked_project_key is null then 'linked_project_unresolved'
            when indicators.is_half_above_full then 'half_year_target_above_full_year'
            when indicators.is_level1_consistent = false then 'taxonomy_level1_mismatch'
            when indicators.has_trivial_lower_bound then 'trivial_lower_bound_zero'
            when indicators.level2 = '数量指标' and indicators.full_year_comparator in ('<=', '<') then 'upper_bound_on_output_count'
            when indicators.level1 = '产出指标' and indicators.full_year_qualitative_class = 'free_text' then 'sentence_as_output_target'
        end as finding_code
    from indicators
    inner join documents
        on documents.document_key = indicators.document_key
),

indicator_findings as (
    select
        'indicator' as finding_source,
        case
            when finding_code in ('taxonomy_level2_unmapped', 'linked_project_unresolved', 'half_year_target_above_full_year') then 'warning'
            else 'info'
        end as severity,
        finding_code,
        document_key,
        source_file,
        source_line,
        indicator_name as subject,
        {{ dbt.concat(["coalesce(half_year_raw, '')", "' | '", "coalesce(full_year_raw, '')"]) }} as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        case finding_code
            when 'taxonomy_level2_unmapped' then {{ dbt.concat(["'二级指标 not in seed indicator_taxonomy: '", "coalesce(level2_raw, '')"]) }}
            when 'linked_project_unresolved' then {{ dbt.concat(["'对应项目 names no project of the unit: '", 'linked_project_raw']) }}
            when 'half_year_target_above_full_year' then 'Half-year >= target is above the full-year one'
            when 'taxonomy_level1_mismatch' then {{ dbt.concat(["'Printed 一级指标 '", "coalesce(level1_raw, '')", "' differs from the level 1 of its 二级指标 '", 'level1']) }}
            when 'trivial_lower_bound_zero' then 'A >= 0 target is always met'
            when 'upper_bound_on_output_count' then 'Upper bound (<=) on an output count: probably meant = or >='
            when 'sentence_as_output_target' then 'Output target is a sentence, not a measurable value'
        end as message
    from indicator_checks
    where finding_code is not null
),

report_findings as (
    select
        'self_evaluation' as finding_source,
        'warning' as severity,
        'report_figure_unparsed' as finding_code,
        report_facts.document_key,
        documents.source_file,
        report_facts.source_line,
        report_facts.fact_key as subject,
        report_facts.value_raw as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        'Report figure is neither a number nor a word for none' as message
    from report_facts
    inner join documents
        on documents.document_key = report_facts.document_key
    where report_facts.is_unparsed
    union all
    select
        'self_evaluation' as finding_source,
        case when has_grade then 'warning' else 'info' end as severity,
        case when has_grade then 'evaluation_grade_outside_score_band' else 'evaluation_grade_missing' end as finding_code,
        document_key,
        source_file,
        grade_source_line as source_line,
        'evaluation_grade' as subject,
        grade_raw as observed_value,
        score_band_grade as expected_value,
        case
            when has_grade then 'Stated grade is not the grade of the stated score''s band (seed evaluation_grades)'
            else 'Self-evaluation report states no grade (优/良/中/差) that could be read'
        end as message
    from evaluations
    where not has_grade or is_grade_consistent_with_score = false
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
