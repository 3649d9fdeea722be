"""Every distinct target value of the samples with its expected parse (docs/DOMAIN.md §B.3).

Values are looked up by their gold row (file, line) in fact_indicator, half-year and full-year
cells separately. A bare number takes its unit from the trailing （…） of the indicator name.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.warehouse.conftest import rows

# value as printed -> (comparator, value_num, uom, direction); the unit is in the value itself
QUANTITATIVE = {
    "100%": (None, "100", "%", "unstated"),
    "=0%": ("=", "0", "%", "equal"),
    "=10%": ("=", "10", "%", "equal"),
    "=100%": ("=", "100", "%", "equal"),
    "=15%": ("=", "15", "%", "equal"),
    "=20%": ("=", "20", "%", "equal"),
    "=40%": ("=", "40", "%", "equal"),
    "=48%": ("=", "48", "%", "equal"),
    "=6%": ("=", "6", "%", "equal"),
    "=8%": ("=", "8", "%", "equal"),
    "=95%": ("=", "95", "%", "equal"),
    "=1项报告、应急预案报告、安全巡检报告": ("=", "1", "项", "equal"),
    "=3项报告、应急预案报告、安全巡检报告": ("=", "3", "项", "equal"),
    "=2517.03平方米": ("=", "2517.03", "平方米", "equal"),
    "≤0%": ("<=", "0", "%", "negative"),
    "≤100%": ("<=", "100", "%", "negative"),
    "≤50%": ("<=", "50", "%", "negative"),
    "≤12月": ("<=", "12", "月", "negative"),
    "≤1场": ("<=", "1", "场", "negative"),
    "≤3场": ("<=", "3", "场", "negative"),
    "≤1年": ("<=", "1", "年", "negative"),
    "≥0个": (">=", "0", "个", "positive"),
    "≥0台、件、套、 项": (">=", "0", "台/件/套/项", "positive"),
    "≥37台、件、套、 项": (">=", "37", "台/件/套/项", "positive"),
    "≥1%": (">=", "1", "%", "positive"),
    "≥50%": (">=", "50", "%", "positive"),
    "≥80%": (">=", "80", "%", "positive"),
    "≥90%": (">=", "90", "%", "positive"),
    "≥100%": (">=", "100", "%", "positive"),
    "≥3个": (">=", "3", "个", "positive"),
    "≥10个": (">=", "10", "个", "positive"),
    "≥13个": (">=", "13", "个", "positive"),
    "≥20个": (">=", "20", "个", "positive"),
    "≥30个": (">=", "30", "个", "positive"),
    "≥40个": (">=", "40", "个", "positive"),
    "≥50个": (">=", "50", "个", "positive"),
    "≥80个": (">=", "80", "个", "positive"),
    "≥100个": (">=", "100", "个", "positive"),
    "≥170个": (">=", "170", "个", "positive"),
    "≥350个": (">=", "350", "个", "positive"),
    "≥600个": (">=", "600", "个", "positive"),
    "≥800个": (">=", "800", "个", "positive"),
    "≥900个": (">=", "900", "个", "positive"),
    "≥1800个": (">=", "1800", "个", "positive"),
    "≥2000个": (">=", "2000", "个", "positive"),
    "≥5项": (">=", "5", "项", "positive"),
    "≥10项": (">=", "10", "项", "positive"),
    "≥800项": (">=", "800", "项", "positive"),
    "≥1600项": (">=", "1600", "项", "positive"),
    "≥1场": (">=", "1", "场", "positive"),
    "≥2场": (">=", "2", "场", "positive"),
    "≥1次": (">=", "1", "次", "positive"),
    "≥2次": (">=", "2", "次", "positive"),
    "≥4次": (">=", "4", "次", "positive"),
    "≥2份": (">=", "2", "份", "positive"),
    "≥4份": (">=", "4", "份", "positive"),
    "≥50人": (">=", "50", "人", "positive"),
    "≥100人": (">=", "100", "人", "positive"),
    "≥5万元": (">=", "5", "万元", "positive"),
    "≥30000平方米": (">=", "30000", "平方米", "positive"),
}

# (value as printed, unit at the end of the indicator name) -> (comparator, value_num, direction)
BARE_NUMBER = {
    ("0", "个"): (None, "0", "unstated"),
    ("0", "家"): (None, "0", "unstated"),
    ("0", "项"): (None, "0", "unstated"),
    ("1", "个"): (None, "1", "unstated"),
    ("8", "%"): (None, "8", "unstated"),
    ("10", "个"): (None, "10", "unstated"),
    ("15", "个"): (None, "15", "unstated"),
    ("20", "项"): (None, "20", "unstated"),
    ("30", "个"): (None, "30", "unstated"),
    ("30", "家"): (None, "30", "unstated"),
    ("40", "个"): (None, "40", "unstated"),
    ("50", "人"): (None, "50", "unstated"),
    ("100", "家"): (None, "100", "unstated"),
    ("150", "个"): (None, "150", "unstated"),
    ("150", "场"): (None, "150", "unstated"),
    ("200", "家"): (None, "200", "unstated"),
    ("365", "天"): (None, "365", "unstated"),
    ("400", "个"): (None, "400", "unstated"),
    ("1000", "个"): (None, "1000", "unstated"),
    ("40000", "P"): (None, "40000", "unstated"),
    ("≥1", "个"): (">=", "1", "positive"),
    ("≥1", "场"): (">=", "1", "positive"),
    ("≥2", "个"): (">=", "2", "positive"),
    ("≥5", "个"): (">=", "5", "positive"),
    ("≥180", "天"): (">=", "180", "positive"),
    ("≥11000", "亿元"): (">=", "11000", "positive"),
}

# value as printed -> (qualitative_class, is_vague)
QUALITATIVE = {
    "健全": ("compliance", False), "规范": ("compliance", False), "合理": ("compliance", False),
    "明确": ("compliance", False), "科学": ("compliance", False), "合规": ("compliance", False),
    "有效": ("compliance", False), "及时": ("compliance", False), "完善": ("compliance", False),
    "公开": ("compliance", False), "充分": ("compliance", False), "合格": ("compliance", False),
    "完成": ("compliance", False),
    "高": ("vague_level", True), "较高": ("vague_level", True),
    "提升": ("vague_trend", True), "平稳增长": ("vague_trend", True), "影响明显": ("vague_effect", True),
    "严格执行相关财经法规、制度": ("free_text", False),
    "在平台、载体、园区、基金、项目上启动合作": ("free_text", False),
    "在平台、载体、园区、基金、项目上深化合作": ("free_text", False),
    "完成数据采集场搭建，完成100万条数据采集": ("free_text", False),
}

SCHEDULE = {"序时进度"}
NAME_UNIT = re.compile(r"[（(]([^（）()]+)[）)]$")
PERIODS = ("half_year", "full_year")


def name_unit(indicator_name: str) -> str | None:
    match = NAME_UNIT.search(indicator_name.replace(" ", ""))
    return match.group(1) if match else None


@pytest.fixture(scope="module")
def facts_by_line(con) -> dict[tuple[str, int], dict]:
    facts = rows(con, """
        select d.source_file, f.*
        from fact_indicator as f
        join dim_document as d on d.document_key = f.document_key""")
    return {(fact["source_file"], fact["source_line"]): fact for fact in facts}


@pytest.fixture(scope="module")
def gold_values(gold) -> list[tuple[str, dict, str, str]]:
    """(file, gold row, period, value) for every target cell of the gold."""
    cells = []
    for file_name, body in gold.items():
        for row in body["indicators"]:
            cells.append((file_name, row, "half_year", row["half_year_value"]))
            cells.append((file_name, row, "full_year", row["full_year_value"]))
    return cells


def test_every_distinct_sample_value_has_an_expected_parse(gold_values):
    distinct = {(value, name_unit(row["level3"])) for _, row, _, value in gold_values}
    missing = {
        (value, unit) for value, unit in distinct
        if value not in QUANTITATIVE and value not in QUALITATIVE and value not in SCHEDULE
        and (value, unit) not in BARE_NUMBER
    }
    assert missing == set()
    assert len({value for value, _ in distinct}) == 104


def test_every_target_cell_parses_as_expected(gold_values, facts_by_line):
    checked = 0
    for file_name, row, period, value in gold_values:
        fact = facts_by_line[(file_name, row["line"])]
        parsed = {column: fact[f"{period}_{column}"] for column in
                  ("comparator", "value_num", "uom", "uom_source", "value_kind", "direction",
                   "qualitative_class", "is_vague")}
        assert fact[f"{period}_raw"] == value
        where = (file_name, row["line"], period, value)
        if value in SCHEDULE:
            assert parsed["value_kind"] == "schedule", where
            assert parsed["value_num"] is None and parsed["comparator"] is None, where
        elif value in QUALITATIVE:
            assert parsed["value_kind"] == "qualitative", where
            assert parsed["value_num"] is None and parsed["direction"] == "qualitative", where
            assert (parsed["qualitative_class"], parsed["is_vague"]) == QUALITATIVE[value], where
        elif value in QUANTITATIVE:
            comparator, number, uom, direction = QUANTITATIVE[value]
            assert parsed["value_kind"] == "quantitative", where
            assert (parsed["comparator"], parsed["value_num"], parsed["uom"], parsed["direction"]) == (
                comparator, Decimal(number), uom, direction), where
            assert parsed["uom_source"] == "value", where
        else:
            unit = name_unit(row["level3"])
            comparator, number, direction = BARE_NUMBER[(value, unit)]
            assert parsed["value_kind"] == "quantitative", where
            assert (parsed["comparator"], parsed["value_num"], parsed["uom"], parsed["direction"]) == (
                comparator, Decimal(number), unit, direction), where
            assert parsed["uom_source"] == "indicator_name", where
        checked += 1
    assert checked == 2 * 298


def test_special_forms_keep_their_detail(con):
    by_value = {row["full_year_raw"]: row for row in rows(con, """
        select full_year_raw, full_year_value_items, is_multi_unit, has_trivial_lower_bound,
               is_deadline_month, full_year_uom_kind, half_year_raw, half_year_value_kind
        from fact_indicator
        where full_year_raw in ('=3项报告、应急预案报告、安全巡检报告', '≥37台、件、套、 项', '≤12月')""")}
    report = by_value["=3项报告、应急预案报告、安全巡检报告"]
    assert report["full_year_value_items"] == "报告、应急预案报告、安全巡检报告"
    equipment = by_value["≥37台、件、套、 项"]
    assert equipment["is_multi_unit"] and equipment["has_trivial_lower_bound"]
    assert equipment["half_year_raw"] == "≥0台、件、套、 项" and equipment["full_year_uom_kind"] == "count"
    assert by_value["≤12月"]["is_deadline_month"]


def test_schedule_is_never_a_number_and_blank_is_empty(con):
    (numbers_on_schedule,) = con.execute("""
        select count(*) from fact_indicator
        where (half_year_value_kind = 'schedule' and half_year_value_num is not null)
           or (full_year_value_kind = 'schedule' and full_year_value_num is not null)""").fetchone()
    assert numbers_on_schedule == 0
    (schedule_cells,) = con.execute(
        "select count(*) from fact_indicator where half_year_value_kind = 'schedule'").fetchone()
    assert schedule_cells == 28
