-- One row per project per fiscal year: projects with their own target form (source
-- target_table), projects known from their self-evaluation table (self_eval_table) and projects named only as expenditure lines of a department form (source
-- budget_line, e.g. 大楼运行费（2023-2025）). The key is the hash of (unit, fiscal year, comparable
-- name), so the same project found both ways is one row (the target form wins) and a 履职 row's
-- 对应项目 with ASCII parentheses finds the budget line printed with full-width ones.
with documents as (
    select * from {{ ref('int_documents_resolved') }}
),

budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}
),

-- a project with a form of its own: its target form (source target_table), or its
-- self-evaluation table (项目支出绩效自评表, self_eval_table) when no target form of it is in the
-- inbox, so mart_self_evaluation and fact_indicator still find it in dim_project
from_forms as (
    select
        project_key,
        project_name,
        project_name_key,
        unit_key,
        fiscal_year,
        project_type,
        project_level,
        start_raw,
        end_raw,
        case when doc_type = 'project_target' then 'target_table' else 'self_eval_table' end as source,
        document_key as source_document_key,
        case when doc_type = 'project_target' then 1 else 2 end as source_rank
    from documents
    where doc_type in ('project_target', 'project_self_eval') and project_key is not null
),

from_budget_lines as (
    select
        budget_lines.project_key,
        budget_lines.label_raw as project_name,
        {{ pb_name_key('budget_lines.label_raw') }} as project_name_key,
        budget_lines.unit_key,
        budget_lines.fiscal_year,
        cast(null as {{ dbt.type_string() }}) as project_type,
        cast(null as {{ dbt.type_string() }}) as project_level,
        {{ pb_regexp_extract('budget_lines.label_raw', '[（(]([0-9]{4})(-[0-9]{4})?[）)]$', 1) }} as start_raw,
        coalesce(
            {{ pb_regexp_extract('budget_lines.label_raw', '[（(][0-9]{4}-([0-9]{4})[）)]$', 1) }},
            {{ pb_regexp_extract('budget_lines.label_raw', '[（(]([0-9]{4})[）)]$', 1) }}
        ) as end_raw,
        'budget_line' as source,
        budget_lines.document_key as source_document_key,
        3 as source_rank
    from budget_lines
    where budget_lines.doc_type = 'dept_target'
      and budget_lines.category_code = 'project_expenditure_line'
),

unioned as (
    select * from from_forms
    union all
    select * from from_budget_lines
),

ranked as (
    select
        unioned.*,
        row_number() over (
            partition by project_key
            order by source_rank, source_document_key
        ) as source_order
    from unioned
),

deduplicated as (
    select * from ranked where source_order = 1
),

final as (
    select
        project_key,
        project_name,
        project_name_key,
        unit_key,
        fiscal_year,
        project_type,
        project_level,
        start_raw,
        end_raw,
        {{ pb_year_month_iso('start_raw') }} as start_period,
        {{ pb_year_month_iso('end_raw') }} as end_period,
        source,
        source_document_key
    from deduplicated
)

select * from final
