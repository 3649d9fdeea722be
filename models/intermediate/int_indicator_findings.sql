-- The data-quality findings of indicator rows (mart_data_quality): every finding of a row, one row
-- each (a row whose 二级指标 is unknown and whose target is >= 0 gives two). The condition of each
-- finding code is here; its severity and message template come from seed data_quality_findings.
-- Incremental: a night finds again the rows of the changed forms and every row with a 对应项目
-- cell, whose link another form may have moved (pb_relink_to_projects; `linked_project_unresolved`).
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook=["{{ pb_delete_findings_to_redo() }}"]
) }}
{#- rendered at parse too, so that dbt knows the changes table is read -#}
{%- set changed_doc_ids = pb_changed_keys('doc_id') %}

with indicators as (
    select * from {{ ref('int_indicators_linked') }}
    {%- if is_incremental() %}
    where doc_id in ({{ changed_doc_ids }})
        or linked_project_lookup_key is not null
    {%- endif %}
),

targets as (
    select * from {{ ref('int_indicator_targets') }}
),

documents as (
    select * from {{ ref('int_documents_resolved') }}
),

taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

findings as (
    select * from {{ ref('data_quality_findings') }}
),

indicator_rows as (
    select
        indicators.*,
        targets.is_half_above_full,
        targets.has_trivial_lower_bound,
        targets.full_year_comparator,
        targets.full_year_qualitative_class,
        documents.source_file,
        level1_dimensions.dimension_code as level1_code,
        level2_dimensions.dimension_code as level2_code
    from indicators
    inner join targets
        on targets.indicator_key = indicators.indicator_key
    inner join documents
        on documents.document_key = indicators.document_key
    left join taxonomy as level1_dimensions
        on level1_dimensions.level1_canonical = indicators.level1
        and level1_dimensions.level2_canonical is null
    left join taxonomy as level2_dimensions
        on level2_dimensions.level1_canonical = indicators.level1
        and level2_dimensions.level2_canonical = indicators.level2
),

-- every finding of an indicator row, one row each (a row unmapped and with a >= 0 target gives two)
indicator_checks as (
    select
        indicator_rows.*,
        findings.finding_source,
        findings.severity,
        findings.finding_code,
        findings.message as message_template
    from indicator_rows
    inner join findings
        on findings.finding_source = 'indicator'
        and case findings.finding_code
            when 'taxonomy_level2_unmapped' then indicator_rows.mapping_rule in ('unmapped', 'level1_only')
            when 'linked_project_unresolved' then indicator_rows.linked_project_raw is not null and indicator_rows.linked_project_key is null
            when 'half_year_target_above_full_year' then indicator_rows.is_half_above_full
            when 'taxonomy_level1_mismatch' then indicator_rows.is_level1_consistent = false
            when 'trivial_lower_bound_zero' then indicator_rows.has_trivial_lower_bound
            when 'upper_bound_on_output_count' then indicator_rows.level2_code = 'output_quantity' and indicator_rows.full_year_comparator in ('<=', '<')
            when 'sentence_as_output_target' then indicator_rows.level1_code = 'output' and indicator_rows.full_year_qualitative_class = 'free_text'
        end
),

final as (
    select
        indicator_key,
        finding_source,
        severity,
        finding_code,
        document_key,
        source_file,
        source_line,
        indicator_name as subject,
        {{ dbt.concat(["coalesce(half_year_raw, '')", "' | '", "coalesce(full_year_raw, '')"]) }} as observed_value,
        cast(null as {{ dbt.type_string() }}) as expected_value,
        replace(replace(replace(replace(message_template,
            '{level2_raw}', coalesce(level2_raw, '')),
            '{linked_project_raw}', coalesce(linked_project_raw, '')),
            '{level1_raw}', coalesce(level1_raw, '')),
            '{level1}', coalesce(level1, '')) as message
    from indicator_checks
)

select * from final
