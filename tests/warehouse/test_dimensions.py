"""Conformed dimensions: documents, units, projects (incl. budget-line projects), taxonomy; keys are
md5 hashes of natural keys, recomputable outside the warehouse."""

from __future__ import annotations

import hashlib

from tests.warehouse.conftest import rows


def md5(*parts: object) -> str:
    return hashlib.md5("|".join("" if part is None else str(part) for part in parts).encode()).hexdigest()


def test_one_document_row_per_form(con):
    documents = rows(con, "select * from dim_document")
    assert len(documents) == 16
    assert sum(1 for row in documents if row["source_file"].startswith("004")) == 12
    assert all(row["is_latest"] for row in documents)
    assert {row["doc_type"] for row in documents} == {"dept_target", "project_target", "dept_self_eval"}


def test_document_keys_are_md5_of_sha256_and_part(con):
    for row in rows(con, "select document_key, source_sha256, part_seq from dim_document"):
        assert row["document_key"] == md5(row["source_sha256"], row["part_seq"])


def test_units_and_regions(con):
    units = {row["unit_name"]: row for row in rows(con, "select * from dim_unit")}
    assert len(units) == 5
    assert units["南通市科学技术局"]["region"] == "江苏省南通市"
    assert units["常州国家高新技术产业开发区（新北区）创意产业园区管理办公室（机关）"]["admin_level"] == "区级"
    assert units["南京市工业和信息化局"]["supervising_dept_name"] == "南京市工业和信息化局"


def test_projects_from_target_forms_and_budget_lines(con):
    projects = rows(con, "select * from dim_project")
    by_source = {}
    for row in projects:
        by_source.setdefault(row["source"], []).append(row["project_name"])
    assert len(by_source["target_table"]) == 13
    assert len(by_source["budget_line"]) == 14
    assert "大楼运行费（2023-2025）" in by_source["budget_line"]
    assert "科技创新产业扶持（2026）" in by_source["budget_line"]
    building = next(row for row in projects if row["project_name"] == "大楼运行费（2023-2025）")
    assert (building["fiscal_year"], building["start_period"], building["end_period"]) == (2024, "2023", "2025")
    industry = next(row for row in projects if row["project_name"] == "南京市工业和信息化发展专项资金")
    assert (industry["start_period"], industry["end_period"]) == ("2026-01", "2026-12")


def test_budget_line_projects_carry_their_amounts(con):
    (amount,) = con.execute("""
        select b.amount_wan from fact_budget_line as b
        join dim_project as p on p.project_key = b.project_key
        where p.project_name = '大楼运行费（2023-2025）' and b.phase = 'annual_budget'""").fetchone()
    assert amount == 250


def test_indicator_categories(con):
    categories = rows(con, "select * from dim_indicator_category")
    assert len(categories) == 38
    for row in categories:
        assert row["indicator_category_key"] == md5(row["level1"], row["level2"])
    cost = next(row for row in categories if row["level2"] == "成本指标")
    assert (cost["level1"], cost["level1_en"]) == ("产出指标", "Output indicators (level 1)")
