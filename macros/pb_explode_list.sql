{#
    One row per element of a delimited list column (e.g. the taxonomy's 'variants' column
    '决策|部门决策|投入'), portably: a generated series of positions and dbt.split_part,
    no engine list functions. Empty elements are dropped. Returns a select statement with
    the kept columns, `element` (trimmed text) and `element_position`.
#}
{% macro pb_explode_list(relation, keep_columns, list_column, delimiter='|', max_parts=16) -%}
    select
        {% for column in keep_columns %}src.{{ column }},{% endfor %}
        trim({{ dbt.split_part('src.' ~ list_column, "'" ~ delimiter ~ "'", 'positions.generated_number') }}) as element,
        positions.generated_number as element_position
    from {{ relation }} as src
    cross join ({{ dbt.generate_series(max_parts) }}) as positions
    where trim({{ dbt.split_part('src.' ~ list_column, "'" ~ delimiter ~ "'", 'positions.generated_number') }}) <> ''
{%- endmacro %}
