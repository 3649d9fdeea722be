with taxonomy as (
    select * from {{ ref('indicator_taxonomy') }}
),

level1_names as (
    select level1_canonical, english_name as level1_en
    from taxonomy
    where level2_canonical is null
),

final as (
    select
        {{ pb_key(['taxonomy.level1_canonical', 'taxonomy.level2_canonical']) }} as indicator_category_key,
        taxonomy.level1_canonical as level1,
        taxonomy.level2_canonical as level2,
        level1_names.level1_en,
        case when taxonomy.level2_canonical is not null then taxonomy.english_name end as level2_en,
        taxonomy.applies_to,
        case when taxonomy.level2_canonical is null then true else false end as is_level1_only
    from taxonomy
    left join level1_names
        on level1_names.level1_canonical = taxonomy.level1_canonical
)

select * from final
