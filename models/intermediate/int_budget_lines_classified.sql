-- One row per printed funding-block line with its canonical category (seed budget_categories,
-- matched on the label's comparable key among the categories of the form's scope). An
-- expenditure line that is not 基本支出/项目支出 is a named project or spending content:
-- category 项目支出明细; in a department form it is a project of its own (dim_project,
-- source budget_line), in a project form it belongs to the form's project.
{{ pb_incremental_by('doc_id') }}

with budget_lines as (
    select * from {{ ref('stg_perfbudget__budget_lines') }}{{ pb_changed_only('doc_id') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

category_variants as (
    select * from {{ ref('int_budget_category_variants') }}
),

categories as (
    select * from {{ ref('budget_categories') }}
),

-- the category of a named project or spending content line (项目支出明细)
project_line_category as (
    select category from categories where category_code = 'project_expenditure_line'
),

lines_in_context as (
    select
        budget_lines.*,
        {{ pb_name_key('budget_lines.label_raw') }} as label_key,
        documents.document_key,
        documents.doc_type,
        documents.fiscal_year,
        documents.unit_key,
        documents.unit_name_key,
        documents.project_key as document_project_key,
        case when documents.doc_type in ('dept_self_eval', 'project_self_eval') then 'self_eval' else 'target' end as form_scope
    from budget_lines
    inner join documents
        on documents.doc_id = budget_lines.doc_id
),

matched as (
    select
        lines_in_context.*,
        category_variants.category as matched_category
    from lines_in_context
    left join category_variants
        on category_variants.variant_key = lines_in_context.label_key
        and category_variants.direction = lines_in_context.direction
        and category_variants.form_scope in (lines_in_context.form_scope, 'both')
),

classified as (
    select
        matched.*,
        coalesce(
            matched.matched_category,
            case when matched.direction = 'expenditure' and matched.form_scope = 'target' then project_line_category.category end
        ) as category,
        case
            when matched.matched_category is not null then 'label_variant'
            when matched.direction = 'expenditure' and matched.form_scope = 'target' then 'named_project_line'
            else 'unmapped'
        end as category_rule
    from matched
    cross join project_line_category
),

with_project as (
    select
        classified.*,
        categories.category_code,
        case
            when classified.doc_type in ('project_target', 'project_self_eval') then classified.document_project_key
            when classified.doc_type = 'dept_target' and categories.category_code = 'project_expenditure_line'
                then {{ pb_key(['classified.unit_name_key', 'classified.fiscal_year', pb_name_key('classified.label_raw')]) }}
        end as project_key
    from classified
    left join categories
        on categories.category = classified.category
),

final as (
    select
        {{ pb_key(['with_project.document_key', 'with_project.line_seq']) }} as budget_line_id,
        with_project.document_key,
        with_project.doc_id,
        with_project.doc_type,
        with_project.unit_key,
        with_project.project_key,
        with_project.fiscal_year,
        with_project.line_seq,
        with_project.direction,
        with_project.category,
        with_project.category_code,
        categories.category_en,
        categories.sum_role,
        with_project.category_rule,
        with_project.label_raw,
        with_project.parent_label_raw,
        -- a self-evaluation's 执行率 / 分值 / 得分 as printed and as numbers, parsed here once
        with_project.rate_raw,
        cast({{ pb_try_cast(pb_regexp_replace(pb_fullwidth_to_ascii('with_project.rate_raw'), '[%[:space:]]', ''), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as rate_printed_pct,
        with_project.weight_raw,
        cast({{ pb_try_cast(pb_fullwidth_to_ascii('with_project.weight_raw'), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as weight,
        with_project.score_raw,
        cast({{ pb_try_cast(pb_fullwidth_to_ascii('with_project.score_raw'), dbt.type_numeric()) }} as {{ dbt.type_numeric() }}) as score,
        with_project.source_line,
        with_project.source_ref
    from with_project
    left join categories
        on categories.category = with_project.category
)

select * from final
