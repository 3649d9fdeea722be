-- One row per label variant of a budget category (seed budget_categories), with its comparable
-- key (no whitespace, no '|', ASCII parentheses), so 财政拨款 | 小计 finds 财政拨款小计.
with categories as (
    select * from {{ ref('budget_categories') }}
),

with_canonical as (
    select
        category,
        direction,
        form_scope,
        {{ dbt.concat(["category", "'|'", "variants"]) }} as variant_list
    from categories
),

exploded as (
    {{ pb_explode_list('with_canonical', ['category', 'direction', 'form_scope'], 'variant_list') }}
),

keyed as (
    select distinct
        category,
        direction,
        form_scope,
        {{ pb_name_key('element') }} as variant_key
    from exploded
),

final as (
    select * from keyed
)

select * from final
