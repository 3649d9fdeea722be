{#
    Deterministic surrogate key: md5 of the natural-key parts joined with '|'
    (dbt.hash(dbt.concat([...])) gives the same md5 on DuckDB, Postgres and Spark).
    A null part is written as the empty string so the key is never null.
#}
{% macro pb_key(parts) -%}
    {%- set pieces = [] -%}
    {%- for part in parts -%}
        {%- do pieces.append("coalesce(cast(" ~ part ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do pieces.append("'|'") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.hash(dbt.concat(pieces)) }}
{%- endmacro %}


{#
    Comparable form of a name or label: no whitespace (ASCII or ideographic), ASCII
    parentheses, no '|' joiner. '大楼运行费（2023-2025）' and '大楼运行费(2023-2025)' compare equal.
#}
{% macro pb_name_key(expr) -%}
    replace(replace(replace(replace(
        {{ pb_regexp_replace(expr, '[[:space:]]+', '') }},
        '（', '('), '）', ')'), '　', ''), '|', '')
{%- endmacro %}


{# Blank (null, empty or whitespace only) text becomes null. #}
{% macro pb_blank_to_null(expr) -%}
    nullif(trim({{ expr }}), '')
{%- endmacro %}
