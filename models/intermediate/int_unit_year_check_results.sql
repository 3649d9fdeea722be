{#- the checks of seed reconciliation_rules (macros/seed_lists.sql) -#}
{%- set checks = pb_reconciliation_checks() -%}
-- A unit-year's funding checks over its latest forms that state a year (int_document_check_results):
-- each check's worst status (fail, pass, unknowable, not_applicable), the largest difference of
-- H1 and H2 and the sum of the sum checks' differences, and the counts of failed and unknowable
-- checks.
{{ config(materialized='ephemeral') }}

with check_results as (
    select * from {{ ref('int_document_check_results') }}
),

documents as (
    select * from {{ ref('int_document_versions') }}
),

latest_documents as (
    select * from documents where is_latest and fiscal_year is not null
),

latest_check_results as (
    select check_results.*, latest_documents.unit_key, latest_documents.fiscal_year
    from check_results
    inner join latest_documents
        on latest_documents.document_key = check_results.document_key
),

final as (
    select
        unit_key,
        fiscal_year,
        {% for check, side in checks %}
        {{ 'max' if side in ('line_pair', 'rate') else 'sum' }}({{ check | lower }}_difference) as {{ check | lower }}_difference,
        case max({{ check | lower }}_status_rank)
            when 4 then 'fail' when 3 then 'pass' when 2 then 'unknowable' else 'not_applicable'
        end as {{ check | lower }}_status,
        {% endfor %}
        sum(n_checks_failed) as n_checks_failed,
        sum(n_checks_unknowable) as n_checks_unknowable
    from latest_check_results
    group by unit_key, fiscal_year
)

select * from final
