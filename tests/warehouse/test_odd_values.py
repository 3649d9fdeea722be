"""Odd values in one document land in the warehouse as analysts mean them, and the night goes on.

A copy of sample 003 with odd cells (fullwidth digits, amounts that are no number, negative
amounts on a balance line and on a normal line, fullwidth comparators) is extracted and built
once, in the small inbox of tests/warehouse/variants.py that three other test modules share (its
other documents are other units'; every query here reads the odd document's rows only). Its
amounts and target values are checked cell by cell, and both quality gates pass on the build.
"""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from expectations.runner import MartTables, load_suites, validate, validate_staging
from tests.warehouse.conftest import Build, rows
from tests.warehouse.variants import ODD_FILE, variants_build


@pytest.fixture(scope="session")
def odd_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return variants_build(tmp_path_factory)


@pytest.fixture(scope="module")
def odd(odd_build: Build):
    connection = duckdb.connect(str(odd_build.database), read_only=True)
    yield connection
    connection.close()


def test_amounts_parse_as_printed_numbers_only(odd):
    found = rows(odd, """
        select b.source_line, b.label_raw, b.amount_raw, b.amount_wan, b.is_unparsed, b.is_negative_allowed,
               b.is_negative_unexpected
        from fact_budget_line as b
        join dim_document as d on d.document_key = b.document_key
        where d.source_file = ? and b.phase = 'annual_budget' and b.amount_raw is not null
        order by b.source_line""", ODD_FILE)
    assert [tuple(row.values()) for row in found] == [
        (16, "国有资本金", "1e6", None, True, False, False),
        (17, "社保基金", "约100", None, True, False, False),
        (18, "上年结转资金", "0", Decimal("0"), False, False, False),
        (19, "其他资金", "0", Decimal("0"), False, False, False),
        (21, "基本支出", "７３.６", Decimal("73.6"), False, False, False),
        (22, "项目支出", "-5", Decimal("-5"), False, False, True),
        (23, "大楼运行费（2023-2025）", "250", Decimal("250"), False, False, False),
        (24, "项目资金结余", "-5", Decimal("-5"), False, True, False),
    ]


def test_fullwidth_target_values_parse_like_ascii(odd):
    found = rows(odd, """
        select i.source_line, i.half_year_raw, i.half_year_comparator, i.half_year_value_num, i.half_year_uom,
               i.half_year_direction, i.full_year_raw, i.full_year_comparator, i.full_year_value_num,
               i.full_year_uom, i.full_year_direction, i.full_year_value_kind
        from fact_indicator as i
        join dim_document as d on d.document_key = i.document_key
        where d.source_file = ? and i.source_line in (36, 41)
        order by i.source_line""", ODD_FILE)
    assert [tuple(row.values()) for row in found] == [
        (36, "１００%", None, Decimal("100"), "%", "unstated",
         "＞＝90%", ">=", Decimal("90"), "%", "positive", "quantitative"),
        (41, "≥９０％", ">=", Decimal("90"), "%", "positive",
         "=100%", "=", Decimal("100"), "%", "equal", "quantitative"),
    ]


def test_extraction_warnings_name_line_and_value_in_the_data_quality_mart(odd):
    found = rows(odd, """
        select severity, finding_code, source_line, message
        from mart_data_quality
        where finding_source = 'extraction' and source_file = ?
        order by source_line""", ODD_FILE)
    assert [tuple(row.values()) for row in found] == [
        ("warning", "amount_not_a_number", 16, "'国有资本金': amount '1e6' is not a number (kept as printed)"),
        ("warning", "amount_not_a_number", 17, "'社保基金': amount '约100' is not a number (kept as printed)"),
        ("warning", "negative_amount", 22,
         "'项目支出': negative amount '-5' on a line that is no balance or reduction (seed negative_amount_labels)"),
        # the row test_data_quality_findings.py reads (variants.FINDINGS_LINE)
        ("warning", "unknown_level_label", 67, "'社会效应' is not a level-2 label of the taxonomy seed"),
    ]


def test_amount_range_test_warns_and_skips_balance_lines(odd_build: Build, odd):
    manifest = json.loads((odd_build.database.parents[1] / "target" / "manifest.json").read_text(encoding="utf-8"))
    [config] = [node["config"] for node in manifest["nodes"].values()
                if node["resource_type"] == "test" and node.get("column_name") == "amount_wan"
                and node["test_metadata"]["name"] == "accepted_range"
                and node["attached_node"] == "model.perfbudget.fact_budget_line"]
    assert (config["severity"], config["where"]) == ("warn", "not is_negative_allowed")
    # the rows the test reports: accepted_range(min_value=0) on fact_budget_line where not is_negative_allowed
    # (of the odd document: the build's other documents are other units')
    warned = odd.execute(f"""
        select filtered.label_raw, filtered.amount_wan
        from (select * from fact_budget_line where {config["where"]}) as filtered
        join dim_document as d on d.document_key = filtered.document_key
        where d.source_file = ?
          and filtered.amount_wan is not null and filtered.amount_wan < 0""", [ODD_FILE]).fetchall()
    assert warned == [("项目支出", Decimal("-5"))]


def test_both_quality_gates_pass_so_the_night_publishes(odd_build: Build, tmp_path: Path):
    # on the whole build: the odd document and the variants' other documents beside it
    staging = validate_staging(odd_build.staging)
    assert [outcome.describe() for outcome in staging.failures] == []
    # a copy: this module's read-only connection holds the build with another configuration
    database = tmp_path / "odd.duckdb"
    shutil.copyfile(odd_build.database, database)
    marts = validate("marts", MartTables(database), load_suites("marts"))
    assert [outcome.describe() for outcome in marts.failures] == []
