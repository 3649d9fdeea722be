-- dbt tests on an incremental night (docs/DESIGN.md §5a, flows/delta.py).
--
-- An incremental build starts from a copy of the published warehouse, whose rows passed every
-- dbt test the night they were published. A document-keyed model (pb_incremental_by: config
-- meta `changed_only_by`) then deletes the changed forms' rows and appends their new ones: no
-- other row of it changes. So a row-wise test of such a model checks only the changed forms'
-- rows (and rows without a form), and a uniqueness test checks every row that shares its key
-- with one of them (a duplicate needs a new row; a combination of columns is checked so only
-- when it holds the form's column, and else on every row). At 100 000 forms the tests of a night after
-- 1 % changed took 61 of its dbt build's 171 thread-seconds, most of them over unchanged rows.
-- A full build has an empty changes table and tests every row; so does a test whose config
-- meta says `every_row` (a column that post-hooks also update in unchanged forms' rows), and
-- any test not named below (row counts, sums over forms see the whole table).
--
-- dbt wraps the model of every generic test in get_where_subquery, which adds the test's own
-- `where` config; this adds the changed rows' filter. (One macro: dbt renders it while parsing
-- the tests too, in a context that holds no other macro of the project.)
{% macro duckdb__get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set row_wise_tests = ['not_null', 'accepted_values', 'relationships', 'accepted_range', 'expression_is_true',
                              'not_blank_string', 'key_is_hash_of', 'unique', 'unique_combination_of_columns'] -%}
    {%- set test_name = model.test_metadata.name if execute and model.resource_type == 'test'
                                                    and model.test_metadata else none -%}
    {%- set tested = graph.nodes.get(model.attached_node) if test_name and model.attached_node else none -%}
    {%- set form_column = (tested.config.meta or {}).get('changed_only_by') if tested else none -%}
    {%- set combination = model.test_metadata.kwargs.get('combination_of_columns') if test_name else none -%}
    {%- if form_column and test_name in row_wise_tests and not (model.config.meta or {}).get('every_row')
          and (combination is none or form_column in combination) -%}
        {%- set changes_node = graph.nodes[['model', project_name, 'stg_perfbudget__changed_documents'] | join('.')] -%}
        {%- set changes = api.Relation.create(database=changes_node.database, schema=changes_node.schema,
                                              identifier=changes_node.alias) -%}
        {%- set changed = form_column ~ ' in (select ' ~ form_column ~ ' from ' ~ changes ~ ' where '
                          ~ form_column ~ ' is not null)' -%}
        {%- set full_build = 'not exists (select 1 from ' ~ changes ~ ')' -%}
        {%- set kwargs = model.test_metadata.kwargs -%}
        {%- if test_name == 'unique' -%}
            {%- set key = kwargs.column_name -%}
            {%- do conditions.append('(' ~ full_build ~ ' or ' ~ key ~ ' in (select ' ~ key ~ ' from ' ~ relation
                                     ~ ' where ' ~ changed ~ '))') -%}
        {%- else -%}
            {%- do conditions.append('(' ~ full_build ~ ' or ' ~ form_column ~ ' is null or ' ~ changed ~ ')') -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' as tested_rows where ' ~ conditions | join(' and ') ~ ') dbt_subquery') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}
