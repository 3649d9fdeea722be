{#
    Lists of seed rows that decide the columns of a model, read when the model runs (dbt's
    run_query). At parse time, and before the seeds are loaded, they are empty; the ref() is
    called either way, so the seed is a parent of the model that uses the list.

    pb_summary_sources()      (category_code, summary_column) of seed budget_categories: the income
                              sources with a column of their own, in sort_order
    pb_reconciliation_checks() (check_code, side) of seed reconciliation_rules, one per check in
                              check_order; side is term for a sum check, line_pair (H1) or rate (H2)
#}

{% macro pb_summary_sources() -%}
    {%- set relation = ref('budget_categories') -%}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set query = "select category_code, summary_column from " ~ relation
            ~ " where summary_column is not null order by sort_order" -%}
        {{ return(run_query(query).rows) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}

{% macro pb_reconciliation_checks() -%}
    {%- set relation = ref('reconciliation_rules') -%}
    {%- if execute and load_relation(relation) is not none -%}
        {%- set query = "select check_code, max(side) as side from " ~ relation
            ~ " group by check_code order by min(check_order), check_code" -%}
        {{ return(run_query(query).rows) }}
    {%- endif -%}
    {{ return([]) }}
{%- endmacro %}
