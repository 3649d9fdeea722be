{#
  Column comments without a catalog query per model (dispatched by dbt's persist_docs for every
  model and seed: dbt_project.yml +persist_docs columns: true).

  dbt-duckdb's own duckdb__alter_column_comment asks DuckDB for the relation's columns
  (adapter.get_columns_in_relation: a macro, a query of information_schema and an agate table
  per model) only to skip documented columns the model does not have. Every documented column
  of this project exists, and every column of the marts is commented
  (tests/warehouse/test_build.py test_marts_carry_their_comments_for_bi_tools), so each
  documented column is commented directly: a documented column a model lost fails its build
  with DuckDB's error naming the column, rather than losing its comment without a word.
  The comment text is escaped by dbt-duckdb's own duckdb_escape_comment.
#}
{% macro duckdb__alter_column_comment(relation, column_dict) %}
  {% for column_name in column_dict %}
    {% set escaped_comment = duckdb_escape_comment(column_dict[column_name]['description']) %}
    comment on column {{ relation }}.{{ adapter.quote(column_name) if column_dict[column_name]['quote'] else column_name }} is {{ escaped_comment }};
  {% endfor %}
{% endmacro %}
