-- One row per self-evaluation report (部门整体绩效自评价报告): the conclusion's grade as printed
-- (自评结论为“优”), its canonical four-band grade (seed evaluation_grades), the score when the
-- report prints one, and the grade the score's band gives. A report that states neither keeps
-- its row with grade null (has_grade false). The first statement of a report counts (fact key
-- without #n suffix).
with documents as (
    select * from {{ ref('dim_document') }}
),

report_facts as (
    select * from {{ ref('int_report_facts_parsed') }}
),

grades as (
    select * from {{ ref('evaluation_grades') }}
),

score_bands as (
    select distinct grade, score_min, score_below from grades
),

stated as (
    select
        document_key,
        max(case when fact_key = 'evaluation_grade' then value_raw end) as grade_raw,
        max(case when fact_key = 'evaluation_grade' then source_line end) as grade_source_line,
        max(case when fact_key = 'evaluation_score' then value_num end) as score,
        max(case when fact_key = 'evaluation_score' then value_raw end) as score_raw
    from report_facts
    where fact_key in ('evaluation_grade', 'evaluation_score')
    group by document_key
),

reports as (
    select * from documents where doc_type = 'dept_self_eval'
),

final as (
    select
        {{ pb_key(['reports.document_key']) }} as evaluation_key,
        reports.document_key,
        reports.unit_key,
        reports.unit_name,
        reports.fiscal_year,
        reports.source_file,
        reports.is_latest,
        stated.grade_raw,
        grades.grade,
        grades.grade_en,
        cast(stated.score as {{ dbt.type_numeric() }}) as score,
        stated.score_raw,
        score_bands.grade as score_band_grade,
        case when grades.grade is not null then true else false end as has_grade,
        case
            when grades.grade is null or score_bands.grade is null then null
            when grades.grade = score_bands.grade then true
            else false
        end as is_grade_consistent_with_score,
        stated.grade_source_line
    from reports
    left join stated
        on stated.document_key = reports.document_key
    left join grades
        on grades.grade_raw = stated.grade_raw
    left join score_bands
        on stated.score >= score_bands.score_min
        and (score_bands.score_below is null or stated.score < score_bands.score_below)
)

select * from final
