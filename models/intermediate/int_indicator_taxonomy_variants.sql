-- One row per spelling variant of the indicator taxonomy (seed indicator_taxonomy), with its
-- comparable key. The canonical name itself is a variant too.
with taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

with_canonical as (
    select
        level1_canonical,
        level2_canonical,
        applies_to,
        english_name,
        {{ dbt.concat(["coalesce(level2_canonical, level1_canonical)", "'|'", "variants"]) }} as variant_list
    from taxonomy
),

exploded as (
    {{ pb_explode_list('with_canonical', ['level1_canonical', 'level2_canonical', 'applies_to'], 'variant_list') }}
),

keyed as (
    select distinct
        level1_canonical,
        level2_canonical,
        applies_to,
        case when level2_canonical is null then 'level1' else 'level2' end as variant_level,
        element as variant,
        {{ pb_regexp_replace(pb_name_key('element'), pb_score_suffix_pattern(), '') }} as variant_key
    from exploded
),

final as (
    select * from keyed
)

select * from final
