-- Every 对应项目 of a 履职 row names a project of the same unit and year (after name
-- normalisation: full-width vs ASCII parentheses, whitespace). Warn only: a document may name a
-- project it does not list.
{{ config(severity='warn') }}

with indicators as (
    select * from {{ ref('fact_indicator') }}
),

final as (
    select indicator_key, document_key, linked_project_raw
    from indicators
    where linked_project_raw is not null and linked_project_key is null
)

select * from final
