{#
    Own generic tests (dbt Hub packages cannot be installed here, docs/DESIGN.md §7).
    Each returns the failing rows; zero rows = pass.
#}

{# The combination of the given columns is unique. #}
{% test unique_combination_of_columns(model, combination_of_columns) %}
with grouped as (
    select
        {{ combination_of_columns | join(', ') }},
        count(*) as n_rows
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}
),

final as (
    select * from grouped where n_rows > 1
)

select * from final
{% endtest %}


{# Every row satisfies a boolean SQL expression (rows where it is false are failures; null passes). #}
{% test expression_is_true(model, expression) %}
with final as (
    select * from {{ model }} where not ({{ expression }})
)

select * from final
{% endtest %}


{# A numeric column lies in [min_value, max_value] (either bound optional; nulls pass). #}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
with final as (
    select * from {{ model }}
    where {{ column_name }} is not null
      and (
          1 = 0
          {% if min_value is not none %} or {{ column_name }} < {{ min_value }} {% endif %}
          {% if max_value is not none %} or {{ column_name }} > {{ max_value }} {% endif %}
      )
)

select * from final
{% endtest %}


{# Text columns hold null or real text, never an empty or blank string. #}
{% test not_blank_string(model, column_name) %}
with final as (
    select * from {{ model }}
    where {{ column_name }} is not null and trim({{ column_name }}) = ''
)

select * from final
{% endtest %}


{# The model has between min_rows and max_rows rows. #}
{% test row_count_between(model, min_rows=1, max_rows=none) %}
with counted as (
    select count(*) as n_rows from {{ model }}
),

final as (
    select * from counted
    where n_rows < {{ min_rows }}
    {% if max_rows is not none %} or n_rows > {{ max_rows }} {% endif %}
)

select * from final
{% endtest %}


{#
    A surrogate key equals the hash of its natural-key columns (so a rebuild gives the
    same key): recomputes pb_key(natural_key) and returns the rows where it differs.
#}
{% test key_is_hash_of(model, column_name, natural_key) %}
with recomputed as (
    select
        {{ column_name }} as stored_key,
        {{ pb_key(natural_key) }} as expected_key
    from {{ model }}
),

final as (
    select * from recomputed where stored_key <> expected_key or stored_key is null
)

select * from final
{% endtest %}

{#
    reconciliation_holds: the forms on which one of the funding checks of docs/DOMAIN.md §C.2
    fails (status 'fail' in mart_budget_reconciliation; a blank side is 'unknowable', not a
    failure). Real documents break these sums, so the test warns and never errors: each
    failing form is one row, with both sides and the difference.
#}
{% test reconciliation_holds(model, check_codes) %}
{{ config(severity='warn') }}

with reconciliation as (
    select * from {{ model }}
),

final as (
    select source_file, unit_name, project_name, check_code, lhs_value, rhs_value, difference
    from reconciliation
    where status = 'fail'
      and check_code in ({% for code in check_codes %}'{{ code }}'{% if not loop.last %}, {% endif %}{% endfor %})
)

select * from final
{% endtest %}
