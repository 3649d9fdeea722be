-- pb_report_numbers (macros/report_numbers.sql) reads every value_raw shape of report_facts the
-- way extract/report_facts.py parse_number does: Arabic with thousands separators, 万/亿
-- multipliers, Chinese numerals (十二, 二十, 一百零五, 两千, 一九九一, 一亿二千万, 三点五), and
-- null for grades, nil words (int_report_facts_parsed lands those as 0) and junk.
-- Returns the cases whose reading differs from the expected number.
-- A test of the macro on constants, not of the data: `make test` runs it beside the parse_number
-- oracle (tests/warehouse/test_report_numbers_oracle.py compiles it and runs its query); the
-- nightly build leaves it out (var macro_unit_tests false, flows/build.py): it checks code, not data.
{{ config(enabled=var('macro_unit_tests', true)) }}
{% set cases = [
    ('567.37', '567.37'), ('0.1', '0.1'), ('20', '20'), ('5,977', '5977'), ('1,869.3', '1869.3'),
    ('5,673,700', '5673700'), ('1.2万', '12000'), ('3亿', '300000000'), (' 12 ', '12'),
    ('十', '10'), ('十二', '12'), ('二十', '20'), ('二十五', '25'), ('一百零五', '105'), ('一百一十', '110'),
    ('两千', '2000'), ('一千零二十', '1020'), ('三千五百', '3500'), ('一九九一', '1991'), ('三', '3'), ('两', '2'),
    ('零', '0'), ('〇', '0'), ('十二万', '120000'), ('二十万', '200000'), ('一亿二千万', '120000000'),
    ('一亿零五百万', '105000000'), ('三点五', '3.5'), ('十二点五', '12.5'), ('一点二万', '12000'),
    ('九千九百九十九', '9999'),
    ('优', none), ('无', none), ('未发生', none), ('', none), ('1,23', none), ('12三', none), ('三五十', none),
    ('点', none), ('5.', none),
] -%}
with cases as (
    {% for raw, expected in cases %}
    select
        cast('{{ raw }}' as {{ dbt.type_string() }}) as value_raw,
        cast({{ "'" ~ expected ~ "'" if expected is not none else 'null' }} as {{ dbt.type_numeric() }}) as expected_value
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
),

numbers_read as (
    {{ pb_report_numbers('cases', 'value_raw') }}
),

readings as (
    select
        value_raw,
        expected_value,
        pb_number as value_num
    from numbers_read
),

final as (
    select * from readings
    where not (value_num = expected_value or (value_num is null and expected_value is null))
        or (value_num is null) <> (expected_value is null)
)

select * from final
