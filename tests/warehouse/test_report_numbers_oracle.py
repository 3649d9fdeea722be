"""extract/report_facts.py `parse_number` is the oracle of the warehouse's reading of a report figure.

int_report_facts_parsed reads value_raw with macro pb_report_number (and lands a nil word such as
无 as 0). The macro is compiled once through dbt (`dbt compile --inline`) and run in DuckDB on the
same cases as parse_number: fixed tricky ones, and hypothesis-generated Chinese numerals, Arabic
numbers with and without thousands separators, decimals and short strings of the characters a
figure is written with. Every case must read the same in both.

Known and kept out of the generated cases: the macro removes whitespace inside a figure, parse_number
only strips it at the ends; the warehouse keeps 6 decimal places (numeric(28,6)).
"""

from __future__ import annotations

import re
from decimal import Decimal

import duckdb
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from extract.report_facts import is_nil_word, parse_number
from tests.extract.test_report_facts import to_chinese
from tests.warehouse.conftest import dbt

INLINE = "select {{ pb_report_number('value_raw') }} as value_num from cases"


@pytest.fixture(scope="module")
def sql_reading(tmp_path_factory: pytest.TempPathFactory):
    """value_raw → the number the warehouse reads (a nil word 0, as int_report_facts_parsed lands it)."""
    workdir = tmp_path_factory.mktemp("report_numbers")
    compiled = dbt(["compile", "--quiet", "--inline", INLINE], workdir, workdir / "staging").output.strip()
    assert compiled.startswith("select case"), compiled[:500]
    connection = duckdb.connect()
    query = f"with cases as (select cast(? as varchar) as value_raw) {compiled}"

    def read(value_raw: str) -> Decimal | None:
        if is_nil_word(value_raw):
            return Decimal(0)
        (value,) = connection.execute(query, [value_raw]).fetchone()
        return value

    yield read
    connection.close()


def agree(sql_reading, value_raw: str) -> None:
    expected = parse_number(value_raw)
    found = sql_reading(value_raw)
    assert (found is None, found) == (expected is None, expected), value_raw


@pytest.mark.parametrize("value_raw", [
    "567.37", "0.1", "20", "5,977", "1,869.3", "5,673,700", "1.2万", "3亿", " 12 ", "十", "十二", "二十", "二十五",
    "一百零五", "一百一十", "两", "两千", "一千零二十", "三千五百", "一九九一", "三", "零", "〇", "十二万", "二十万",
    "一亿二千万", "一亿零五百万", "三点五", "十二点五", "一点二万", "一点五", "九千九百九十九", "无", "未发生",
    "优", "", "1,23", "1,2345", "5,97", "12三", "三五十", "点", "十点", "5.", "1.2.3", "万", "亿", "万万", "1万2",
])
def test_fixed_cases_read_as_parse_number_reads_them(sql_reading, value_raw):
    agree(sql_reading, value_raw)


@given(st.integers(min_value=0, max_value=10**12 - 1), st.booleans())
def test_chinese_numerals_read_alike(sql_reading, number, short_ten):
    written = to_chinese(number, short_ten)
    assert parse_number(written) == number
    agree(sql_reading, written)


@given(st.integers(min_value=0, max_value=10**15), st.booleans())
def test_arabic_numbers_read_alike(sql_reading, number, separated):
    written = f"{number:,}" if separated else str(number)
    assert parse_number(written) == number
    agree(sql_reading, written)


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
       st.sampled_from(["", "万", "亿"]))
def test_decimals_and_multipliers_read_alike(sql_reading, amount, multiplier):
    written = f"{amount:,f}{multiplier}"
    assert parse_number(written) is not None
    agree(sql_reading, written)


@given(st.text(alphabet="0123456789.,万亿零〇一二两三四五六七八九十百千点无优", min_size=1, max_size=10))
def test_strings_of_figure_characters_read_alike(sql_reading, value_raw):
    assume(not re.search(r"\.\d{7,}", value_raw))  # more decimal places than the warehouse keeps
    agree(sql_reading, value_raw)
