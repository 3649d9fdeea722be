{#
    The patterns of printed Chinese text that the models parse with regular expressions, named
    (grammar, not reference data: the lists and names of the domain are seeds; these are the
    shapes of a printed score, date or range). Models call these macros and hold no Chinese
    literal of their own.

    pb_range_dash()            the separators of a range: 3-5, 3—5, 3~5, 3～5, 3至5
    pb_date_range_pattern()    a body that starts with a year-month range: 2024年1月-2024年12月, 2024.1-2024.12
    pb_score_suffix_pattern()  a printed weight after a taxonomy name: 产出指标(50分) → 产出指标
    pb_score_range_suffix_pattern()  the same, with a range or without 分: 决策(10-15分), 过程(20)分
    pb_year_month_iso(expr)    2024年3月 → 2024-03, 2024年11月 → 2024-11; anything else unchanged
#}

{% macro pb_range_dash() -%}
    {{ return('(-|—|~|～|至)') }}
{%- endmacro %}

{% macro pb_date_range_pattern() -%}
    {{ return('^[0-9]{4}[.年/-][0-9]{1,2}月?' ~ pb_range_dash() ~ '[0-9]{4}') }}
{%- endmacro %}

{% macro pb_score_suffix_pattern() -%}
    {{ return('\\([0-9.]+分\\)$') }}
{%- endmacro %}

{% macro pb_score_range_suffix_pattern() -%}
    {{ return('\\([0-9.]+(-[0-9.]+)?分?\\)分?$') }}
{%- endmacro %}

{% macro pb_year_month_iso(expr) -%}
    {{ pb_regexp_replace(pb_regexp_replace(expr, '^([0-9]{4})年([0-9])月$', '\\1-0\\2'), '^([0-9]{4})年([0-9]{2})月$', '\\1-\\2') }}
{%- endmacro %}
