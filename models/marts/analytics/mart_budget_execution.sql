-- Budget execution per unit and fiscal year (决算 vs 年初预算): from the unit's latest
-- self-evaluation report the initial budget (年初预算), final-account income and expenditure,
-- execution rate = final expenditure / initial budget and the differences; beside them, where a
-- target table (部门整体 / 项目 绩效目标表) of the same unit and year exists, its annual budget
-- (资金总额, 基本支出, 项目支出 of the department form; 资金总额 summed over the project forms when the
-- unit has no department form). One row per unit-year that has a self-evaluation report or a
-- target table; has_self_evaluation / has_target_table say which sides are filled.
with unit_years as (
    select * from {{ ref('int_unit_years') }}
),

document_totals as (
    select * from {{ ref('int_document_budget_totals') }}
),

target_budget as (
    select * from {{ ref('int_unit_year_target_budget') }}
),

units as (
    select * from {{ ref('dim_unit') }}
),

evaluations as (
    select * from {{ ref('fact_evaluation') }} where is_latest
),

report_facts as (
    select * from {{ ref('int_report_facts_parsed') }}
),

stated_rates as (
    select
        document_key,
        max(case when fact_key = 'budget_execution_rate' then value_num end) as stated_execution_rate_pct
    from report_facts
    group by document_key
),

joined as (
    select
        unit_years.*,
        self_eval_totals.initial_budget_wan,
        self_eval_totals.final_income_wan,
        self_eval_totals.final_expenditure_wan,
        self_eval_totals.final_basic_expenditure_wan,
        self_eval_totals.final_project_expenditure_wan,
        stated_rates.stated_execution_rate_pct,
        evaluations.grade as evaluation_grade,
        case
            when unit_years.n_department_forms > 0 then target_budget.department_total_funds_wan
            else target_budget.project_total_funds_wan
        end as target_total_funds_wan,
        target_budget.target_basic_expenditure_wan,
        target_budget.target_project_expenditure_wan
    from unit_years
    left join document_totals as self_eval_totals
        on self_eval_totals.document_key = unit_years.self_eval_document_key
    left join stated_rates
        on stated_rates.document_key = unit_years.self_eval_document_key
    left join evaluations
        on evaluations.document_key = unit_years.self_eval_document_key
    left join target_budget
        on target_budget.unit_key = unit_years.unit_key
        and target_budget.fiscal_year = unit_years.fiscal_year
),

final as (
    select
        {{ pb_key(['joined.unit_key', 'joined.fiscal_year']) }} as unit_year_key,
        joined.unit_key,
        units.unit_name,
        units.region,
        joined.fiscal_year,
        joined.self_eval_document_key,
        case when joined.n_self_evaluations > 0 then true else false end as has_self_evaluation,
        case when joined.n_department_forms + joined.n_project_forms > 0 then true else false end as has_target_table,
        joined.evaluation_grade,
        joined.initial_budget_wan,
        joined.final_income_wan,
        joined.final_expenditure_wan,
        joined.final_basic_expenditure_wan,
        joined.final_project_expenditure_wan,
        case
            when joined.initial_budget_wan > 0
                then cast(round(100 * cast(joined.final_expenditure_wan as {{ dbt.type_numeric() }}) / joined.initial_budget_wan, 2)
                    as {{ dbt.type_numeric() }})
        end as execution_rate_pct,
        joined.stated_execution_rate_pct,
        cast(joined.initial_budget_wan - joined.final_expenditure_wan as {{ dbt.type_numeric() }}) as unspent_budget_wan,
        cast(joined.initial_budget_wan - joined.final_income_wan as {{ dbt.type_numeric() }}) as income_shortfall_wan,
        joined.target_total_funds_wan,
        joined.target_basic_expenditure_wan,
        joined.target_project_expenditure_wan,
        case
            when joined.target_total_funds_wan > 0
                then cast(round(100 * cast(joined.final_expenditure_wan as {{ dbt.type_numeric() }}) / joined.target_total_funds_wan, 2)
                    as {{ dbt.type_numeric() }})
        end as target_execution_rate_pct,
        cast(joined.target_total_funds_wan - joined.initial_budget_wan as {{ dbt.type_numeric() }}) as target_minus_initial_budget_wan
    from joined
    left join units
        on units.unit_key = joined.unit_key
)

select * from final
