with reconciliation as (
    select * from {{ ref('int_budget_reconciliation') }}
),

half_year_rate as (
    select * from {{ ref('int_half_year_rate_check') }}
),

documents as (
    select * from {{ ref('dim_document') }}
),

sum_checks as (
    select
        reconciliation_key,
        document_key,
        check_code,
        check_name_zh,
        check_name_en,
        phase,
        lhs_wan as lhs_value,
        rhs_wan as rhs_value,
        difference_wan as difference,
        '万元' as difference_unit,
        status
    from reconciliation
),

rate_checks as (
    select
        {{ pb_key(['document_key', "'H2'"]) }} as reconciliation_key,
        document_key,
        'H2' as check_code,
        '半年预算执行率目标≈半年计划执行数÷全年预算数' as check_name_zh,
        'Half-year budget-execution-rate target = half-year plan / full-year budget' as check_name_en,
        'half_year_plan' as phase,
        rate_target_pct as lhs_value,
        half_year_plan_share_pct as rhs_value,
        difference_pct as difference,
        '百分点 (percentage points)' as difference_unit,
        status
    from half_year_rate
),

unioned as (
    select * from sum_checks
    union all
    select * from rate_checks
),

final as (
    select
        unioned.reconciliation_key,
        unioned.document_key,
        documents.unit_key,
        documents.project_key,
        documents.fiscal_year,
        documents.doc_type,
        documents.source_file,
        documents.unit_name,
        documents.project_name,
        unioned.check_code,
        unioned.check_name_zh,
        unioned.check_name_en,
        unioned.phase,
        cast(unioned.lhs_value as {{ dbt.type_numeric() }}) as lhs_value,
        cast(unioned.rhs_value as {{ dbt.type_numeric() }}) as rhs_value,
        cast(unioned.difference as {{ dbt.type_numeric() }}) as difference,
        unioned.difference_unit,
        unioned.status,
        case unioned.status when 'pass' then true when 'fail' then false end as is_passed
    from unioned
    inner join documents
        on documents.document_key = unioned.document_key
)

select * from final
