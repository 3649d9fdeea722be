-- Incremental builds keyed by document (docs/DESIGN.md §8a, flows/delta.py).
--
-- A nightly build after a few files changed starts from a copy of the published warehouse, and
-- the staging CSVs hold only the changed files' rows; staging/changed_documents.csv names every
-- form whose rows go (a changed or removed file's old forms) or come (its new ones), and every
-- changed or removed file. Each document-keyed model is `incremental` and
--   * deletes its rows of those forms first (pre-hook `pb_delete_changed`),
--   * then appends what its upstream models now hold for them (`pb_changed_only` in the
--     import CTE that reads an incremental upstream).
-- A full build goes into a new file, where no model exists yet, so `is_incremental()` is false
-- and both macros render nothing: the same SQL builds everything.

-- the config of a document-keyed model: incremental, append after deleting the changed keys
-- (meta `changed_only_by`: its dbt tests check the changed rows, macros/changed_rows_tests.sql);
-- `post_hook` names a macro run after the append (hooks are rendered when the model runs). The
-- pre-hook reads the changes table: the ref is taken here, when dbt parses the model, so that a
-- model whose changed-only filter sits in an ephemeral step still depends on it.
{% macro pb_incremental_by(column='doc_id', post_hook=none) -%}
    {%- set changes = ref('stg_perfbudget__changed_documents') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ pb_delete_changed('" ~ column ~ "') }}"],
        post_hook=(["{{ " ~ post_hook ~ "() }}"] if post_hook else []),
        meta={'changed_only_by': column}
    ) }}
{%- endmacro %}

-- `where <column> in (the changed forms' keys)` on an incremental run; nothing on a full one.
-- The ref is taken unconditionally: dbt then knows the dependency when it parses the model.
-- An ephemeral step renders with its own config, where is_incremental() is always false: it
-- names the incremental model it feeds (`feeds`), and filters when that model's run is incremental.
{% macro pb_changed_only(column='doc_id', feeds=none) -%}
    {%- set keys = pb_changed_keys(column) -%}
    {%- if pb_is_incremental(feeds) %}
    where {{ column }} in ({{ keys }})
    {%- endif -%}
{%- endmacro %}

-- the changed forms' keys (or files'): `select <column> from <changes table>`, nulls left out
{% macro pb_changed_keys(column='doc_id') -%}
    select {{ column }} from {{ ref('stg_perfbudget__changed_documents') }} where {{ column }} is not null
{%- endmacro %}

-- is_incremental() of this model, or of the model `feeds` (the test dbt's is_incremental()
-- makes: its table exists and this is no full refresh)
{% macro pb_is_incremental(feeds=none) -%}
    {%- if feeds is none -%}
        {{ return(is_incremental()) }}
    {%- endif -%}
    {%- set relation = pb_existing_relation(feeds) -%}
    {{ return(relation is not none and relation.type == 'table' and not should_full_refresh()) }}
{%- endmacro %}

-- the table or view a model of this project left in the database (its schema and alias from the
-- graph), or none: before dbt runs the model that is what an earlier build made of it
{% macro pb_existing_relation(model_name) -%}
    {%- if not execute -%}
        {{ return(none) }}
    {%- endif -%}
    {%- for node in graph.nodes.values() if node.resource_type == 'model' and node.name == model_name -%}
        {{ return(adapter.get_relation(node.database, node.schema, node.alias)) }}
    {%- endfor -%}
    {{ return(none) }}
{%- endmacro %}

-- Models that compare a unit's forms with each other (a project's latest form, its linked 履职
-- rows, the unit's printed name) are recomputed by unit: every unit a changed form belongs to,
-- before or after the change (int_changed_units).
{% macro pb_changed_units() -%}
    select unit_key from {{ ref('int_changed_units') }}
{%- endmacro %}

-- the config of a unit-keyed model: incremental, append after deleting the changed units' rows
-- (the pre-hook reads int_changed_units: its ref is taken here, when dbt parses the model)
{% macro pb_incremental_by_unit(column='unit_key') -%}
    {%- set changed_units = pb_changed_units() -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ pb_delete_changed('" ~ column ~ "', by_unit=true) }}"]
    ) }}
{%- endmacro %}

-- `where <column> in (the changed units)`, or with `documents` `where <column> in (the doc_id or
-- document_key of every form of the changed units)`, when `feeds` (or this model) runs incrementally
{% macro pb_changed_units_only(column='unit_key', feeds=none, documents=false) -%}
    {%- set units = pb_changed_units() -%}
    {%- set forms = ref('int_documents_resolved') -%}
    {%- if pb_is_incremental(feeds) %}
        {%- if documents %}
    where {{ column }} in (
        select {{ column }} from {{ forms }} where unit_key in ({{ units }})
    )
        {%- else %}
    where {{ column }} in ({{ units }})
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}

-- the pre-hook: delete this model's rows of the changed forms (or files, for `source_file`; or
-- with `by_unit` of the changed units)
{% macro pb_delete_changed(column='doc_id', by_unit=false) -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ column }} in ({{ pb_changed_units() if by_unit else pb_changed_keys(column) }})
    {%- endif -%}
{%- endmacro %}

-- An indicator's 对应项目 may name a project of another form (int_projects): when that form
-- comes, goes or renames its project, the link of an unchanged form's row changes too. After
-- the append, every row with a link cell is linked again (a few % of the rows; a full build
-- has just computed them in the model's own join). int_indicators_linked:
{% macro pb_relink_to_projects() -%}
    {%- if is_incremental() -%}
    update {{ this }}
    set linked_project_key = (
        select projects.project_key
        from {{ ref('int_projects') }} as projects
        where projects.project_key = {{ this }}.linked_project_lookup_key
    )
    where linked_project_lookup_key is not null
    {%- endif -%}
{%- endmacro %}

-- … and fact_indicator takes the links from int_indicators_linked
{% macro pb_relink_facts() -%}
    {%- if is_incremental() -%}
    update {{ this }} as facts
    set linked_project_key = linked.linked_project_key
    from {{ ref('int_indicators_linked') }} as linked
    where facts.indicator_key = linked.indicator_key
        and linked.linked_project_lookup_key is not null
        and facts.linked_project_key is distinct from linked.linked_project_key
    {%- endif -%}
{%- endmacro %}

-- … and int_indicator_findings, whose `linked_project_unresolved` follows those links: before
-- the append, the rows it finds again go (the changed forms' and every row with a link cell)
{% macro pb_delete_findings_to_redo() -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where document_key in ({{ pb_changed_keys('document_key') }})
        or indicator_key in (
            select indicator_key from {{ ref('int_indicators_linked') }} where linked_project_lookup_key is not null
        )
    {%- endif -%}
{%- endmacro %}
