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
{% macro pb_incremental_by(column='doc_id') -%}
    {{ config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=["{{ pb_delete_changed('" ~ column ~ "') }}"]
    ) }}
{%- endmacro %}

-- `where <column> in (the changed forms' keys)` on an incremental run; nothing on a full one.
-- The ref is taken unconditionally: dbt then knows the dependency when it parses the model.
{% macro pb_changed_only(column='doc_id') -%}
    {%- set changes = ref('stg_perfbudget__changed_documents') -%}
    {%- if is_incremental() %}
    where {{ column }} in (select {{ column }} from {{ changes }} where {{ column }} is not null)
    {%- endif -%}
{%- endmacro %}

-- the pre-hook: delete this model's rows of the changed forms (or files, for `source_file`)
{% macro pb_delete_changed(column='doc_id') -%}
    {%- if is_incremental() -%}
    delete from {{ this }}
    where {{ column }} in (
        select {{ column }} from {{ ref('stg_perfbudget__changed_documents') }} where {{ column }} is not null
    )
    {%- endif -%}
{%- endmacro %}
