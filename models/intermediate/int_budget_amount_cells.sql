-- The amount cells of the funding blocks, one row per line x phase, before they are read: the cells
-- the extractor landed beside their classified line (budget_amounts.csv; wan_factor from seed
-- units_of_measure for a block printed in 元 / 千元 / 亿元), and the self-evaluation figures
-- (int_report_facts_parsed) whose fact key names a budget category (seed variants) in a money
-- unit or without unit, already in 万元 (report_amount_wan; 年初预算: phase initial_budget).
{{ pb_incremental_by('doc_id') }}

with budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}{{ pb_changed_only('doc_id') }}
),

amounts as (
    select * from {{ ref('stg_perfbudget__budget_amounts') }}{{ pb_changed_only('doc_id') }}
),

report_facts as (
    select * from {{ ref('int_report_facts_parsed') }}{{ pb_changed_only('doc_id') }}
),

category_variants as (
    select * from {{ ref('int_budget_category_variants') }}
),

categories as (
    select * from {{ ref('budget_categories') }}
),

money_units as (
    select symbol, wan_factor from {{ ref('units_of_measure') }} where uom_kind = 'money'
),

-- the amount cells the extractor landed (staging contract v2: one row per amount cell of the
-- template, blank included), beside their classified line; amounts printed in 元 are 万元 / 10 000
line_amounts as (
    select
        budget_lines.budget_line_id,
        budget_lines.document_key,
        budget_lines.doc_id,
        budget_lines.doc_type,
        budget_lines.unit_key,
        budget_lines.project_key,
        budget_lines.fiscal_year,
        budget_lines.line_seq,
        budget_lines.direction,
        budget_lines.category,
        budget_lines.category_code,
        budget_lines.category_en,
        budget_lines.sum_role,
        budget_lines.category_rule,
        budget_lines.label_raw,
        budget_lines.parent_label_raw,
        budget_lines.source_line,
        amounts.phase,
        amounts.amount_raw,
        cast(coalesce(money_units.wan_factor, 1) as {{ dbt.type_numeric() }}) as wan_factor,
        cast(null as {{ dbt.type_numeric() }}) as report_amount_wan,
        false as is_stated_as_none
    from budget_lines
    inner join amounts
        on amounts.doc_id = budget_lines.doc_id
        and amounts.line_seq = budget_lines.line_seq
    left join money_units
        on money_units.symbol = amounts.amount_unit
),

report_amounts as (
    select
        {{ pb_key(['report_facts.document_key', "'fact'", 'report_facts.fact_key', 'report_facts.source_line']) }} as budget_line_id,
        report_facts.document_key,
        report_facts.doc_id,
        report_facts.doc_type,
        report_facts.unit_key,
        cast(null as {{ dbt.type_string() }}) as project_key,
        report_facts.fiscal_year,
        cast(null as {{ dbt.type_int() }}) as line_seq,
        categories.direction,
        categories.category,
        categories.category_code,
        categories.category_en,
        categories.sum_role,
        'report_fact' as category_rule,
        report_facts.fact_key as label_raw,
        cast(null as {{ dbt.type_string() }}) as parent_label_raw,
        report_facts.source_line,
        case when categories.category_code = 'initial_budget' then 'initial_budget' else 'final_account' end as phase,
        report_facts.value_raw as amount_raw,
        cast(null as {{ dbt.type_numeric() }}) as wan_factor,
        report_facts.amount_wan as report_amount_wan,
        report_facts.is_nil_word as is_stated_as_none
    from report_facts
    inner join category_variants
        on category_variants.variant_key = {{ pb_name_key('report_facts.fact_key') }}
        and category_variants.form_scope in ('self_eval', 'both')
    inner join categories
        on categories.category = category_variants.category
    where report_facts.doc_type = 'dept_self_eval'
        and (report_facts.uom_kind = 'money' or report_facts.unit_raw is null)
),

final as (
    select * from line_amounts
    union all
    select * from report_amounts
)

select * from final
