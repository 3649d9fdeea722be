{#- the checks of seed reconciliation_rules (macros/seed_lists.sql) -#}
{%- set checks = pb_reconciliation_checks() -%}
-- The funding checks of one form side by side, one row per form (int_budget_reconciliation):
-- each check's difference (H2: its absolute value) and status as a rank (4 fail, 3 pass,
-- 2 unknowable, 1 not_applicable; null when the check does not apply to the form type), and how
-- many checks fail or cannot be checked. int_unit_year_check_results takes the worst rank of a
-- unit-year's latest forms.
{{ pb_incremental_by('document_key') }}

with reconciliation as (
    select * from {{ ref('int_budget_reconciliation') }}{{ pb_changed_only('document_key') }}
),

final as (
    select
        document_key,
        {% for check, side in checks %}
        max(case when check_code = '{{ check }}' then {{ 'abs(difference)' if side == 'rate' else 'difference' }} end) as {{ check | lower }}_difference,
        max(case when check_code = '{{ check }}' then
            case status when 'fail' then 4 when 'pass' then 3 when 'unknowable' then 2 else 1 end
        end) as {{ check | lower }}_status_rank,
        {% endfor %}
        sum(case when status = 'fail' then 1 else 0 end) as n_checks_failed,
        sum(case when status = 'unknowable' then 1 else 0 end) as n_checks_unknowable
    from reconciliation
    group by document_key
)

select * from final
