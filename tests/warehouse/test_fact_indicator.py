"""fact_indicator holds the 298 gold rows with the gold's canonical level 1 / level 2."""

from __future__ import annotations

from collections import Counter

import pytest

from tests.warehouse.conftest import rows


@pytest.fixture(scope="module")
def facts(con) -> dict[tuple[str, int], dict]:
    found = rows(con, """
        select d.source_file, d.project_name as form_project, f.*, p.project_name as linked_project_name,
               p.source as linked_project_source
        from fact_indicator as f
        join dim_document as d on d.document_key = f.document_key
        left join dim_project as p on p.project_key = f.linked_project_key""")
    return {(fact["source_file"], fact["source_line"]): fact for fact in found}


def gold_rows(gold):
    for file_name, body in gold.items():
        for row in body["indicators"]:
            yield file_name, row


def test_fact_indicator_has_the_298_gold_rows(con, gold, facts):
    (count,) = con.execute("select count(*) from fact_indicator").fetchone()
    assert count == 298
    assert {key for key in facts} == {(file_name, row["line"]) for file_name, row in gold_rows(gold)}


def test_every_row_has_the_gold_canonical_levels_and_texts(gold, facts):
    for file_name, row in gold_rows(gold):
        fact = facts[(file_name, row["line"])]
        where = (file_name, row["line"])
        assert (fact["level1"], fact["level2"]) == (row["level1_canonical"], row["level2_canonical"]), where
        assert fact["indicator_name"] == row["level3"], where
        assert (fact["half_year_raw"], fact["full_year_raw"]) == (
            row["half_year_value"], row["full_year_value"]), where
        assert fact["level1_raw"] == row["level1_raw"], where
        assert fact["level2_raw"] == row["level2_raw"], where
        if row.get("project"):
            assert fact["form_project"] == row["project"], where


def test_duty_rows_keep_their_duty_area_and_key_work(gold, facts):
    duty = [(file_name, row) for file_name, row in gold_rows(gold) if row["level1_canonical"] == "履职"]
    assert len(duty) == 9
    for file_name, row in duty:
        fact = facts[(file_name, row["line"])]
        assert fact["level2"] == "履职领域"
        assert fact["duty_area"] == row["level2_raw"]
        assert fact["key_work"] == row["key_work"]
    areas = Counter(facts[(f, r["line"])]["duty_area"] for f, r in duty)
    assert areas == {"经济发展": 3, "安全环保": 2, "组织协调园区的管理、服务": 4}


def test_linked_project_with_ascii_parens_resolves_to_the_budget_line(gold, facts):
    linked = [(f, r) for f, r in gold_rows(gold) if r["linked_project"]]
    assert len(linked) == 4
    for file_name, row in linked:
        fact = facts[(file_name, row["line"])]
        assert fact["linked_project_raw"] == "大楼运行费(2023-2025)"
        assert fact["linked_project_name"] == "大楼运行费（2023-2025）"
        assert fact["linked_project_source"] == "budget_line"


def test_counts_by_level1_match_the_gold(gold, con):
    for file_name, body in gold.items():
        expected = body["counts"].get("by_level1") or {}
        found = dict(con.execute("""
            select f.level1, count(*) from fact_indicator as f
            join dim_document as d on d.document_key = f.document_key
            where d.source_file = ? group by f.level1""", [file_name]).fetchall())
        assert found == expected, file_name


def test_every_indicator_category_is_a_dimension_row(con):
    (orphans,) = con.execute("""
        select count(*) from fact_indicator as f
        left join dim_indicator_category as c on c.indicator_category_key = f.indicator_category_key
        where c.indicator_category_key is null""").fetchone()
    assert orphans == 0
