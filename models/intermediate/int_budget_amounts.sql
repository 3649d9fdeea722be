-- Funding amounts long by phase (one row per line x phase column of the template, as the
-- extractor lands them in budget_amounts.csv). Blank rule: a printed line has one row for each
-- amount column its template has (Jiangsu: income annual_budget; expenditure half_year_plan and
-- annual_budget); a blank cell is a row with amount_raw and amount_wan null (is_blank = true),
-- never 0. A line that is not printed has no row. Amounts printed in 元 are converted to 万元. 序时进度 (and its variants, seed value_vocabulary) is kept as text with
-- is_schedule_paced = true and amount_wan null. Self-evaluation figures (int_report_facts_parsed)
-- whose fact key names a budget category (seed variants) in a money unit (or a zero / nil word
-- without unit) are final-account (年初预算: initial-budget) amounts, already in 万元; a figure
-- written as a word for none (会议费支出无) is 0 with is_stated_as_none.
-- An amount is read as ASCII (fullwidth ７３．６ is 73.6) and is a number only when it is a plain
-- decimal with an optional leading minus and thousands separators (not 1e6, 约100, 100万: those are
-- is_unparsed, amount_raw as printed). A negative amount is expected only on a line whose label
-- names a balance or a reduction (seed negative_amount_labels: 结余, 调减 …).
{{ pb_incremental_by('doc_id') }}

with amount_cells as (
    select * from {{ ref('int_budget_amount_cells') }}{{ pb_changed_only('doc_id') }}
),

schedule_tokens as (
    select term from {{ ref('value_vocabulary') }} where is_schedule
),

negative_labels as (
    select word from {{ ref('negative_amount_labels') }}
),

normalised as (
    select
        amount_cells.*,
        {{ pb_regexp_replace(pb_fullwidth_to_ascii('amount_cells.amount_raw'), '[[:space:]]', '') }} as amount_ascii
    from amount_cells
),

parsed as (
    select
        normalised.*,
        case
            when {{ pb_regexp_matches('normalised.amount_ascii', '^-?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\\.[0-9]+)?$') }}
                then replace(normalised.amount_ascii, ',', '')
        end as amount_text,
        case when schedule_tokens.term is not null then true else false end as is_schedule_paced
    from normalised
    left join schedule_tokens
        on schedule_tokens.term = {{ pb_regexp_replace('normalised.amount_raw', '[[:space:]]', '') }}
),

negative_allowed_lines as (
    select distinct parsed.budget_line_id
    from parsed
    inner join negative_labels
        on {{ dbt.position('negative_labels.word', pb_name_key('parsed.label_raw')) }} > 0
),

with_amounts as (
    select
        parsed.*,
        cast(case
            when parsed.category_rule = 'report_fact' then parsed.report_amount_wan
            else {{ pb_try_cast('parsed.amount_text', dbt.type_numeric()) }} * parsed.wan_factor
        end as {{ dbt.type_numeric() }}) as amount_wan,
        case when negative_allowed_lines.budget_line_id is not null then true else false end as is_negative_allowed
    from parsed
    left join negative_allowed_lines
        on negative_allowed_lines.budget_line_id = parsed.budget_line_id
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
        category_code,
        category_en,
        sum_role,
        category_rule,
        label_raw,
        parent_label_raw,
        phase,
        amount_raw,
        amount_wan,
        is_schedule_paced,
        is_stated_as_none,
        case when amount_raw is null then true else false end as is_blank,
        case
            when category_rule = 'report_fact' then report_amount_wan is null
            when amount_raw is not null and not is_schedule_paced and amount_wan is null then true
            else false
        end as is_unparsed,
        is_negative_allowed,
        case when amount_wan < 0 and not is_negative_allowed then true else false end as is_negative_unexpected,
        source_line
    from with_amounts
)

select * from final
