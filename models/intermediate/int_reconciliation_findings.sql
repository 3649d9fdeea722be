-- The data-quality findings of the funding checks (mart_data_quality): one row per form x check that
-- fails (warning) or cannot be checked because its amounts are blank (info).
with reconciliation as (
    select * from {{ ref('int_budget_reconciliation') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

final as (
    select
        reconciliation.reconciliation_key,
        'reconciliation' as finding_source,
        case when reconciliation.status = 'fail' then 'warning' else 'info' end as severity,
        {{ dbt.concat(["'reconciliation_'", 'reconciliation.status', "'_'", 'reconciliation.check_code']) }} as finding_code,
        reconciliation.document_key,
        documents.source_file,
        cast(null as {{ dbt.type_int() }}) as source_line,
        {{ dbt.concat(['reconciliation.check_code', "' '", 'reconciliation.check_name_zh']) }} as subject,
        cast(reconciliation.lhs_value as {{ dbt.type_string() }}) as observed_value,
        cast(reconciliation.rhs_value as {{ dbt.type_string() }}) as expected_value,
        case
            when reconciliation.status = 'fail' then {{ dbt.concat(["'Does not reconcile: '", 'reconciliation.check_name_en', "', difference '", 'cast(reconciliation.difference as ' ~ dbt.type_string() ~ ')', "' '", 'reconciliation.difference_unit']) }}
            else {{ dbt.concat(["'Cannot be checked, amounts blank: '", 'reconciliation.check_name_en']) }}
        end as message
    from reconciliation
    inner join documents
        on documents.document_key = reconciliation.document_key
    where reconciliation.status in ('fail', 'unknowable')
)

select * from final
