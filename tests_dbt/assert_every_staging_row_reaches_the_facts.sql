-- No row is lost between staging and the facts: every staging indicator row is one
-- fact_indicator row, every staging budget line has its amount rows (one per phase its template
-- prints) in fact_budget_line.
with staged_indicators as (
    select count(*) as n_rows from {{ ref('stg_perfbudget__indicators') }}
),

fact_indicators as (
    select count(*) as n_rows from {{ ref('fact_indicator') }}
),

staged_lines as (
    select count(*) as n_rows from {{ ref('stg_perfbudget__budget_lines') }}
),

fact_lines as (
    select count(distinct {{ dbt.concat(["document_key", "'|'", "cast(line_seq as varchar)"]) }}) as n_rows
    from {{ ref('fact_budget_line') }}
    where line_seq is not null
),

final as (
    select 'indicators' as table_name, staged_indicators.n_rows as staged, fact_indicators.n_rows as in_fact
    from staged_indicators cross join fact_indicators
    where staged_indicators.n_rows <> fact_indicators.n_rows
    union all
    select 'budget_lines', staged_lines.n_rows, fact_lines.n_rows
    from staged_lines cross join fact_lines
    where staged_lines.n_rows <> fact_lines.n_rows
)

select * from final
