{#
    The ONE place for engine-specific SQL (docs/DESIGN.md §8): regular expressions and safe casts.
    Every model calls these macros; each picks the engine's syntax through adapter.dispatch.
    DuckDB is the tested engine; the postgres__ and spark__ variants follow those engines'
    documented functions (regexp_replace with 'g', substring/regexp_match, try_cast in Spark 3.4+).

    pb_regexp_replace(expr, pattern, replacement)  every match replaced
    pb_regexp_extract(expr, pattern, group)         the group of the first match, or null
    pb_regexp_matches(expr, pattern)                 true when the pattern occurs
    pb_try_cast(expr, type)                          null instead of an error when expr does not cast
    pb_fullwidth_to_ascii(expr)                      fullwidth digits and signs as ASCII (translate, every engine)
#}

{% macro pb_regexp_replace(expr, pattern, replacement) -%}
    {{ return(adapter.dispatch('pb_regexp_replace', 'perfbudget')(expr, pattern, replacement)) }}
{%- endmacro %}

{% macro default__pb_regexp_replace(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ pattern }}', '{{ replacement }}', 'g')
{%- endmacro %}

{% macro spark__pb_regexp_replace(expr, pattern, replacement) -%}
    regexp_replace({{ expr }}, '{{ spark__pb_java_pattern(pattern) }}', '{{ replacement }}')
{%- endmacro %}


{% macro pb_regexp_extract(expr, pattern, group=1) -%}
    {{ return(adapter.dispatch('pb_regexp_extract', 'perfbudget')(expr, pattern, group)) }}
{%- endmacro %}

{% macro default__pb_regexp_extract(expr, pattern, group) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', {{ group }}), '')
{%- endmacro %}

{% macro postgres__pb_regexp_extract(expr, pattern, group) -%}
    (regexp_match({{ expr }}, '{{ pattern }}'))[{{ group }}]
{%- endmacro %}

{% macro spark__pb_regexp_extract(expr, pattern, group) -%}
    nullif(regexp_extract({{ expr }}, '{{ spark__pb_java_pattern(pattern) }}', {{ group }}), '')
{%- endmacro %}


{% macro pb_regexp_matches(expr, pattern) -%}
    {{ return(adapter.dispatch('pb_regexp_matches', 'perfbudget')(expr, pattern)) }}
{%- endmacro %}

{% macro default__pb_regexp_matches(expr, pattern) -%}
    regexp_matches({{ expr }}, '{{ pattern }}')
{%- endmacro %}

{% macro postgres__pb_regexp_matches(expr, pattern) -%}
    ({{ expr }} ~ '{{ pattern }}')
{%- endmacro %}

{% macro spark__pb_regexp_matches(expr, pattern) -%}
    ({{ expr }} rlike '{{ spark__pb_java_pattern(pattern) }}')
{%- endmacro %}


{% macro pb_try_cast(expr, type) -%}
    {{ return(adapter.dispatch('pb_try_cast', 'perfbudget')(expr, type)) }}
{%- endmacro %}

{% macro default__pb_try_cast(expr, type) -%}
    try_cast({{ expr }} as {{ type }})
{%- endmacro %}

{% macro postgres__pb_try_cast(expr, type) -%}
    case
        when trim({{ expr }}) ~ '^[-+]?[0-9]+(\.[0-9]+)?$' then cast(trim({{ expr }}) as {{ type }})
    end
{%- endmacro %}


{# Java regex (Spark) has no POSIX classes and needs backslashes doubled inside SQL literals. #}
{% macro spark__pb_java_pattern(pattern) -%}
    {{- pattern | replace('[:space:]', '\\s') | replace('\\', '\\\\') -}}
{%- endmacro %}


{#
    Fullwidth digits and signs as ASCII, before any regex reads a value: '７３．６' -> '73.6',
    '＞＝90％' -> '>=90%', the ideographic space -> ' ' (the NFKC forms the extractor tests
    amounts with). The raw columns keep the text as printed. translate() is the same function
    on DuckDB, Postgres and Spark, so there is no dispatch.
#}
{% macro pb_fullwidth_to_ascii(expr) -%}
    translate({{ expr }}, '０１２３４５６７８９．，％＞＜＝＋－～／　', '0123456789.,%><=+-~/ ')
{%- endmacro %}
