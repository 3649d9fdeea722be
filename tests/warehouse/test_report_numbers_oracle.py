"""extract/report_facts.py `parse_number` is the oracle of the warehouse's reading of a report figure.

int_report_facts_parsed reads value_raw with macro pb_report_numbers (and lands a nil word such as
无 as 0). The macro is compiled once through dbt (`dbt compile --inline`) and run in DuckDB on the
same cases as parse_number: fixed tricky ones, and hypothesis-generated Chinese numerals, Arabic
numbers with and without thousands separators, and decimals with a 万 / 亿 multiplier. Every case
must read the same in both. (The generated cases go to DuckDB a list at a time, one query a list.)

The same compile brings dbt's own test of the macro on constants (tests_dbt/
assert_report_numbers_parse.sql, which the nightly build leaves out: var macro_unit_tests), and
its query runs here too: the differences it finds must be none.

Known differences, pinned below: parse_number reads some malformed Chinese numerals (百九百 as
1000) that the macro refuses; the macro removes whitespace inside a figure, parse_number only at
its ends; the warehouse keeps 6 decimal places (numeric(28,6)).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from extract.report_facts import is_nil_word, parse_number
from tests.extract.test_report_facts import to_chinese
from tests.warehouse.conftest import dbt

INLINE = ("select i, pb_number as value_num from ({{ pb_report_numbers('cases', 'value_raw') }}) as numbers_read "
          "order by i")
# dbt's test of the macro on constants, compiled in the same `dbt compile --inline` after INLINE
# (one dbt start, not two); its config line is for the project's builds, not an inline query
DBT_TEST = Path(__file__).resolve().parents[2] / "tests_dbt" / "assert_report_numbers_parse.sql"
NEXT_QUERY = "-- the next query: tests_dbt/assert_report_numbers_parse.sql"
CASES = "with cases as (select unnest($1::varchar[]) as value_raw, unnest(range(len($1::varchar[]))) as i) "
# Each generated example is a list of 40-150 values, read in one query (~10 ms since the macro
# plans in milliseconds, macros/report_numbers.sql; it was ~0.2 s when the expression took 0.7 s
# to plan and the optimizer had to be off here). Each value is drawn on its own; a list only
# batches them.
GENERATED = settings(max_examples=25, deadline=None)


def dbt_test_text() -> str:
    lines = DBT_TEST.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not line.startswith("{{ config(")]
    assert len(kept) == len(lines) - 1
    return "\n".join(kept)


@pytest.fixture(scope="module")
def compiled_queries(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """INLINE and the dbt test of the macro, compiled by dbt at once."""
    workdir = tmp_path_factory.mktemp("report_numbers")
    inline = f"{INLINE}\n{NEXT_QUERY}\n{dbt_test_text()}"
    compiled = dbt(["compile", "--quiet", "--inline", inline], workdir, workdir / "staging").output.strip()
    reading, dbt_test = compiled.split(f"\n{NEXT_QUERY}\n")
    assert reading.startswith("select i, pb_number as value_num from ("), reading[:500]
    return reading, dbt_test


def test_dbt_s_test_of_the_macro_on_constants_finds_no_difference(compiled_queries):
    _, dbt_test = compiled_queries
    assert "with cases as" in dbt_test and "{{" not in dbt_test
    with duckdb.connect() as connection:
        assert connection.execute(dbt_test).fetchall() == []


@pytest.fixture(scope="module")
def sql_reading(compiled_queries):
    """value_raws → the numbers the warehouse reads (a nil word 0, as int_report_facts_parsed lands it)."""
    compiled, _ = compiled_queries
    connection = duckdb.connect()

    def read(values: list[str]) -> list[Decimal | None]:
        numbers = [number for _, number in connection.execute(CASES + compiled, [values]).fetchall()]
        return [Decimal(0) if is_nil_word(value) else number for value, number in zip(values, numbers, strict=True)]

    yield read
    connection.close()


def assert_agree(sql_reading, values: list[str]) -> None:
    found = dict(zip(values, sql_reading(values), strict=True))
    expected = {value: parse_number(value) for value in values}
    assert {value: (number is None, number) for value, number in found.items()} == {
        value: (number is None, number) for value, number in expected.items()}


FIXED = [
    "567.37", "0.1", "20", "5,977", "1,869.3", "5,673,700", "1.2万", "3亿", " 12 ", "十", "十二", "二十", "二十五",
    "一百零五", "一百一十", "两", "两千", "一千零二十", "三千五百", "一九九一", "三", "零", "〇", "十二万", "二十万",
    "一亿二千万", "一亿零五百万", "三点五", "十二点五", "一点二万", "一点五", "九千九百九十九", "六千二百三十三亿",
    "无", "未发生", "优", "", "1,23", "1,2345", "5,97", "12三", "三五十", "点", "十点", "5.", "1.2.3", "万", "亿",
    "万万", "零万", "1万2",
]


def test_fixed_cases_read_as_parse_number_reads_them(sql_reading):
    assert_agree(sql_reading, FIXED)


def test_known_difference_parse_number_reads_malformed_numerals_the_warehouse_refuses(sql_reading):
    malformed = ["百九百", "十十万", "零十二〇", "七零百", "六万二亿"]
    assert sql_reading(malformed) == [None] * len(malformed)
    assert None not in [parse_number(value) for value in malformed]


@GENERATED
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**12 - 1), st.booleans()), min_size=40, max_size=150))
def test_chinese_numerals_read_alike(sql_reading, numbers):
    written = [to_chinese(number, short_ten) for number, short_ten in numbers]
    assert [parse_number(value) for value in written] == [number for number, _ in numbers]
    assert_agree(sql_reading, written)


@GENERATED
@given(st.lists(st.tuples(st.integers(min_value=0, max_value=10**15), st.booleans()), min_size=40, max_size=150))
def test_arabic_numbers_read_alike(sql_reading, numbers):
    written = [f"{number:,}" if separated else str(number) for number, separated in numbers]
    assert [parse_number(value) for value in written] == [number for number, _ in numbers]
    assert_agree(sql_reading, written)


@GENERATED
@given(st.lists(st.tuples(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
                          st.sampled_from(["", "万", "亿"])), min_size=40, max_size=150))
def test_decimals_and_multipliers_read_alike(sql_reading, amounts):
    written = [f"{amount:,f}{multiplier}" for amount, multiplier in amounts]
    assert None not in [parse_number(value) for value in written]
    assert_agree(sql_reading, written)
