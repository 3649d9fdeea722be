with documents as (
    select * from {{ ref('int_documents_resolved') }}
),

units as (
    select
        unit_key,
        max(unit_name) as unit_name,
        max(supervising_dept) as supervising_dept_name,
        max(region) as region,
        max(province) as province,
        max(city) as city,
        max(district) as district,
        max(admin_level) as admin_level,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        count(*) as n_documents
    from documents
    group by unit_key
),

final as (
    select * from units
)

select * from final
