{#
    The reading of a self-evaluation figure's value_raw (staging report_facts), in one place.
    Mirrors extract/report_facts.py parse_number, portably: only the cross_engine regex and
    try_cast macros, replace(), arithmetic and plain derived tables (docs/DESIGN.md §8).

    pb_report_numbers(relation, column)
                            a query of every row of `relation` (a CTE or table) with its columns
                            and `pb_number`, the number `column` stands for, or null:
        '567.37' → 567.37, '5,977' → 5977, '1.2万' → 12000 (a 万/亿 multiplier after Arabic
        digits), '十二' → 12, '二十' → 20, '一百零五' → 105, '两千' → 2000, '一九九一' → 1991,
        '一亿二千万' → 120000000, '三点五' → 3.5, '一点二万' → 12000; null for a grade ('优'),
        a nil word ('无': int_report_facts_parsed lands 0 and flags it) or anything else.
    pb_cn_digits(expr)      Chinese digits (零〇一二两三四五六七八九) → ASCII digits.
#}

{% macro pb_cn_digits(expr) -%}
    {%- set mapping = [('零', '0'), ('〇', '0'), ('一', '1'), ('二', '2'), ('两', '2'), ('三', '3'), ('四', '4'),
                       ('五', '5'), ('六', '6'), ('七', '7'), ('八', '8'), ('九', '9')] -%}
    {%- set ns = namespace(sql=expr) -%}
    {%- for chinese, digit in mapping -%}
        {%- set ns.sql = "replace(" ~ ns.sql ~ ", '" ~ chinese ~ "', '" ~ digit ~ "')" -%}
    {%- endfor -%}
    {{ ns.sql }}
{%- endmacro %}


{# Value of one section below 万 written with 千/百/十 ('1千02十' → 1020); null or '' → 0. #}
{% macro pb_cn_section_value(section) -%}
    (
        {%- for unit, weight in [('千', 1000), ('百', 100), ('十', 10)] %}
        case
            when {{ pb_regexp_matches(section, unit) }}
                then coalesce({{ pb_try_cast(pb_regexp_extract(section, '([0-9])' ~ unit, 1), dbt.type_int()) }}, 1) * {{ weight }}
            else 0
        end +
        {%- endfor %}
        coalesce({{ pb_try_cast(pb_regexp_extract(section, '([0-9])$', 1), dbt.type_int()) }}, 0)
    )
{%- endmacro %}


{% macro pb_report_numbers(relation, column) -%}
    {#- Each step is a derived table naming what it computes, so every intermediate text is
        written once: spliced into one expression, the whole number's text stood in the SQL ~40
        times and the compiled expression was 37 KB, which DuckDB took ~0.7 s to plan (its
        common-subexpression pass most of that) for every build, whatever the rows. The steps'
        columns (pb_text, pb_digits, pb_has_point, pb_core, pb_whole, pb_fraction, pb_yi, pb_wan,
        pb_low) stay in the result beside the relation's own. -#}
    {%- set section = '0?([0-9]?千)?0?([0-9]?百)?0?([0-9]?十)?0?[0-9]?' -%}
    {%- set positional = '^(' ~ section ~ '亿)?(' ~ section ~ '万)?' ~ section ~ '$' -%}
        select
            pb_sections.*,
            case
                when {{ pb_regexp_matches('pb_sections.pb_text', '^([0-9]{1,3}(,[0-9]{3})+|[0-9]+)([.][0-9]+)?[万亿]?$') }} then
                    cast({{ pb_try_cast("replace(" ~ pb_regexp_replace('pb_sections.pb_text', '[万亿]$', '') ~ ", ',', '')", dbt.type_numeric()) }}
                        * case
                            when {{ pb_regexp_matches('pb_sections.pb_text', '亿$') }} then 100000000
                            when {{ pb_regexp_matches('pb_sections.pb_text', '万$') }} then 10000
                            else 1
                        end as {{ dbt.type_numeric() }})
                {# a 万 or 亿 with no number before it (万, 零亿) is no number #}
                when {{ pb_regexp_matches('pb_sections.pb_text', '^[零〇]*[万亿]') }} then null
                when {{ pb_regexp_matches('pb_sections.pb_text', '^[零〇一二两三四五六七八九十百千万亿]+(点[零〇一二两三四五六七八九]+[万亿]?)?$') }}
                    or {{ pb_regexp_matches('pb_sections.pb_text', '^点[零〇一二两三四五六七八九]+[万亿]?$') }} then
                    cast(
                        (case
                            when pb_sections.pb_whole = '' then 0
                            when {{ pb_regexp_matches('pb_sections.pb_whole', '^[0-9]+$') }}
                                then {{ pb_try_cast('pb_sections.pb_whole', dbt.type_numeric()) }}
                            when {{ pb_regexp_matches('pb_sections.pb_whole', positional) }} then
                                {# in 64 bits: a section of 亿 above 21 overflows a 32-bit integer (6233亿) #}
                                cast({{ pb_cn_section_value('pb_sections.pb_yi') }} as {{ dbt.type_bigint() }}) * 100000000
                                + cast({{ pb_cn_section_value('pb_sections.pb_wan') }} as {{ dbt.type_bigint() }}) * 10000
                                + {{ pb_cn_section_value('pb_sections.pb_low') }}
                        end
                            + coalesce({{ pb_try_cast(dbt.concat(["'0.'", 'pb_sections.pb_fraction']), dbt.type_numeric()) }}, 0))
                        * case
                            when pb_sections.pb_has_point and {{ pb_regexp_matches('pb_sections.pb_digits', '亿$') }} then 100000000
                            when pb_sections.pb_has_point and {{ pb_regexp_matches('pb_sections.pb_digits', '万$') }} then 10000
                            else 1
                        end
                    as {{ dbt.type_numeric() }})
            end as pb_number
        from (
            {#- the whole number's sections of 亿, of 万 and below 万 #}
            select
                pb_parts.*,
                {{ pb_regexp_extract('pb_parts.pb_whole', '^([^亿]*)亿', 1) }} as pb_yi,
                {{ pb_regexp_extract('pb_parts.pb_whole', '([^亿万]*)万', 1) }} as pb_wan,
                {{ pb_regexp_extract('pb_parts.pb_whole', '([^亿万]*)$', 1) }} as pb_low
            from (
                {#- the whole number before 点 and the digits after it #}
                select
                    pb_core.*,
                    coalesce({{ pb_regexp_extract('pb_core.pb_core', '^([^点]*)', 1) }}, '') as pb_whole,
                    {{ pb_regexp_extract('pb_core.pb_core', '点([0-9]+)$', 1) }} as pb_fraction
                from (
                    {#- a 点 fraction takes a trailing 万/亿 as multiplier; otherwise 万/亿 are section marks #}
                    select
                        pb_digits.*,
                        case
                            when pb_digits.pb_has_point then {{ pb_regexp_replace('pb_digits.pb_digits', '[万亿]$', '') }}
                            else pb_digits.pb_digits
                        end as pb_core
                    from (
                        select
                            pb_spaced.*,
                            {{ pb_cn_digits('pb_spaced.pb_text') }} as pb_digits,
                            {{ pb_regexp_matches('pb_spaced.pb_text', '点') }} as pb_has_point
                        from (
                            select
                                pb_source.*,
                                {{ pb_regexp_replace('pb_source.' ~ column, '[[:space:]]', '') }} as pb_text
                            from {{ relation }} as pb_source
                        ) as pb_spaced
                    ) as pb_digits
                ) as pb_core
            ) as pb_parts
        ) as pb_sections
{%- endmacro %}
