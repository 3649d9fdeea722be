{#
    Custom schemas are used verbatim (staging, intermediate, reference, main) instead of
    dbt's default "<target_schema>_<custom>": analysts and BI tools see the marts in `main`.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
