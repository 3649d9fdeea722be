-- One row per figure of a self-evaluation report (staging report_facts), read once: the number
-- value_raw stands for (macro pb_report_numbers: commas, 万/亿 multipliers, Chinese numerals), a
-- nil word (seed value_vocabulary, value_class nil: 无, 未发生 …) as 0 with is_nil_word, the unit
-- from seed units_of_measure, and for money figures the amount in 万元 (元 /10000, 千元 /10,
-- 亿元 ×10000). A zero written without a unit (会议费为零) is 0 万元: 0 in any unit is 0.
{{ pb_incremental_by('doc_id') }}

with report_facts as (
    select * from {{ ref('stg_perfbudget__report_facts') }}{{ pb_changed_only('doc_id') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}{{ pb_changed_only('doc_id') }}
),

nil_words as (
    select term from {{ ref('value_vocabulary') }} where value_class = 'nil'
),

units as (
    select * from {{ ref('units_of_measure') }}
),

numbers_read as (
    {{ pb_report_numbers('report_facts', 'value_raw') }}
),

read_values as (
    select
        numbers_read.*,
        {{ pb_regexp_replace('numbers_read.fact_key', '#[0-9]+$', '') }} as base_fact_key,
        numbers_read.pb_text as value_text,
        numbers_read.pb_number as number_read
    from numbers_read
),

with_nil_words as (
    select
        read_values.*,
        case when nil_words.term is not null then true else false end as is_nil_word
    from read_values
    left join nil_words
        on nil_words.term = read_values.value_text
),

with_units as (
    select
        with_nil_words.*,
        case when with_nil_words.is_nil_word then cast(0 as {{ dbt.type_numeric() }}) else with_nil_words.number_read end as value_num,
        units.uom,
        units.uom_kind,
        units.wan_factor
    from with_nil_words
    left join units
        on units.symbol = with_nil_words.unit_raw
),

final as (
    select
        {{ pb_key(['documents.document_key', 'with_units.fact_key']) }} as report_fact_key,
        documents.document_key,
        with_units.doc_id,
        documents.doc_type,
        documents.unit_key,
        documents.unit_name,
        documents.fiscal_year,
        with_units.fact_key,
        with_units.base_fact_key,
        with_units.value_raw,
        with_units.unit_raw,
        with_units.value_num,
        with_units.is_nil_word,
        with_units.uom,
        with_units.uom_kind,
        cast(case
            when with_units.uom_kind = 'money' then with_units.value_num * with_units.wan_factor
            when with_units.unit_raw is null and with_units.value_num = 0 then 0
        end as {{ dbt.type_numeric() }}) as amount_wan,
        case
            when with_units.value_num is null and with_units.base_fact_key <> 'evaluation_grade' then true
            else false
        end as is_unparsed,
        with_units.sentence,
        with_units.source_line
    from with_units
    inner join documents
        on documents.doc_id = with_units.doc_id
)

select * from final
