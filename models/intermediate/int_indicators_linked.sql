-- One row per indicator row (int_indicators_classified) with the project its 对应项目 cell names
-- (linked_project_key: a project of int_projects of the same unit and year, else null).
{{ pb_incremental_by('doc_id', post_hook='pb_relink_to_projects') }}

with indicators as (
    select * from {{ ref('int_indicators_classified') }}{{ pb_changed_only('doc_id') }}
),

projects as (
    select * from {{ ref('int_projects') }}
),

-- the key the 对应项目 cell would give its project, computed before the join: a join condition
-- that computes it (or tests the raw cell for null) is not an equality, and DuckDB then pairs
-- every indicator with every project (a nested-loop join, quadratic in the corpus)
link_keys as (
    select
        indicators.*,
        case
            when indicators.linked_project_raw is not null
                then {{ pb_key(['indicators.unit_name_key', 'indicators.fiscal_year', pb_name_key('indicators.linked_project_raw')]) }}
        end as linked_project_lookup_key
    from indicators
),

final as (
    select
        link_keys.*,
        projects.project_key as linked_project_key
    from link_keys
    left join projects
        on projects.project_key = link_keys.linked_project_lookup_key
)

select * from final
