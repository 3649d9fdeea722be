-- Funding amounts long by phase (one row per line x phase column of the template).
-- Blank rule: a printed line gets one row for each phase column its direction has
-- (income: annual_budget; expenditure: half_year_plan and annual_budget); a blank cell is a row
-- with amount_raw and amount_wan null (is_blank = true), never 0. A line that is not printed
-- has no row. 序时进度 (and its variants, seed value_vocabulary) is kept as text with
-- is_schedule_paced = true and amount_wan null. Self-evaluation figures (report_facts) that
-- name a budget category (seed variants) in a money unit are final-account (or initial-budget)
-- amounts, converted to 万元 with the unit's wan_factor.
with budget_lines as (
    select * from {{ ref('int_budget_lines_classified') }}
),

report_facts as (
    select * from {{ ref('stg_perfbudget__report_facts') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

category_variants as (
    select * from {{ ref('int_budget_category_variants') }}
),

categories as (
    select * from {{ ref('budget_categories') }}
),

money_units as (
    select symbol, wan_factor from {{ ref('units_of_measure') }} where wan_factor is not null
),

schedule_tokens as (
    select term from {{ ref('value_vocabulary') }} where is_schedule
),

half_year as (
    select
        budget_line_id, document_key, doc_id, doc_type, unit_key, project_key, fiscal_year, line_seq,
        direction, category, category_en, sum_role, category_rule, label_raw, parent_label_raw, source_line,
        'half_year_plan' as phase,
        half_year_raw as amount_raw,
        cast(1 as {{ dbt.type_numeric() }}) as wan_factor
    from budget_lines
    where direction = 'expenditure' or half_year_raw is not null
),

annual as (
    select
        budget_line_id, document_key, doc_id, doc_type, unit_key, project_key, fiscal_year, line_seq,
        direction, category, category_en, sum_role, category_rule, label_raw, parent_label_raw, source_line,
        'annual_budget' as phase,
        full_year_raw as amount_raw,
        cast(1 as {{ dbt.type_numeric() }}) as wan_factor
    from budget_lines
),

report_amounts as (
    select
        {{ pb_key(['documents.document_key', "'fact'", 'report_facts.fact_key', 'report_facts.source_line']) }} as budget_line_id,
        documents.document_key,
        documents.doc_id,
        documents.doc_type,
        documents.unit_key,
        cast(null as {{ dbt.type_string() }}) as project_key,
        documents.fiscal_year,
        cast(null as {{ dbt.type_int() }}) as line_seq,
        categories.direction,
        categories.category,
        categories.category_en,
        categories.sum_role,
        'report_fact' as category_rule,
        report_facts.fact_key as label_raw,
        cast(null as {{ dbt.type_string() }}) as parent_label_raw,
        report_facts.source_line,
        case when categories.category = '年初预算' then 'initial_budget' else 'final_account' end as phase,
        report_facts.value_raw as amount_raw,
        cast(money_units.wan_factor as {{ dbt.type_numeric() }}) as wan_factor
    from report_facts
    inner join documents
        on documents.doc_id = report_facts.doc_id
        and documents.doc_type = 'dept_self_eval'
    inner join category_variants
        on category_variants.variant_key = {{ pb_name_key('report_facts.fact_key') }}
        and category_variants.form_scope in ('self_eval', 'both')
    inner join categories
        on categories.category = category_variants.category
    inner join money_units
        on money_units.symbol = coalesce(report_facts.unit_raw, '万元')
),

unioned as (
    select * from half_year
    union all
    select * from annual
    union all
    select * from report_amounts
),

parsed as (
    select
        unioned.*,
        {{ pb_regexp_replace('unioned.amount_raw', '[,，[:space:]]', '') }} as amount_text,
        case when schedule_tokens.term is not null then true else false end as is_schedule_paced
    from unioned
    left join schedule_tokens
        on schedule_tokens.term = {{ pb_regexp_replace('unioned.amount_raw', '[[:space:]]', '') }}
),

final as (
    select
        {{ pb_key(['budget_line_id', 'phase']) }} as budget_line_key,
        budget_line_id,
        document_key,
        doc_id,
        doc_type,
        unit_key,
        project_key,
        fiscal_year,
        line_seq,
        direction,
        category,
        category_en,
        sum_role,
        category_rule,
        label_raw,
        parent_label_raw,
        phase,
        amount_raw,
        cast({{ pb_try_cast('amount_text', dbt.type_numeric()) }} * wan_factor as {{ dbt.type_numeric() }}) as amount_wan,
        is_schedule_paced,
        case when amount_raw is null then true else false end as is_blank,
        case
            when amount_raw is not null and not is_schedule_paced
                and {{ pb_try_cast('amount_text', dbt.type_numeric()) }} is null then true
            else false
        end as is_unparsed,
        source_line
    from parsed
)

select * from final
