with projects as (
    select * from {{ ref('int_projects') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

final as (
    select
        projects.project_key,
        projects.project_name,
        projects.project_name_key,
        projects.unit_key,
        units.unit_name,
        projects.fiscal_year,
        projects.project_type,
        projects.project_level,
        projects.start_period,
        projects.end_period,
        projects.source,
        projects.source_document_key
    from projects
    left join units
        on units.unit_key = projects.unit_key
)

select * from final
