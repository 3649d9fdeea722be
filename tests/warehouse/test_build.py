"""dbt build on the samples: green, the warnings are exactly the known source inconsistencies, and a
rebuild gives identical keys and rows."""

from __future__ import annotations

import json

import duckdb

from tests.warehouse.conftest import REPO, rows

KNOWN_WARNINGS = {
    # 000: 资金总额 83300 but the income sources sum to 40000 (43300 not attributed)
    "test.perfbudget.assert_i1_income_sources_reconcile": 1,
    # 003: 项目支出 500 but the only itemised project (大楼运行费（2023-2025）) is 250
    "test.perfbudget.assert_e2_project_lines_sum_to_project_expenditure": 1,
}


def test_build_has_no_errors_or_failures(built):
    bad = {uid: status for uid, status in built.statuses().items() if status not in {"success", "pass", "warn"}}
    assert bad == {}
    assert len(built.results) > 200


def test_warnings_are_exactly_the_known_source_inconsistencies(built):
    # generic tests carry a hash after their name: test.perfbudget.<name>.<hash>
    warned = {".".join(result["unique_id"].split(".")[:3]): result["failures"]
              for result in built.results if result["status"] == "warn"}
    assert warned == KNOWN_WARNINGS


def test_every_model_and_seed_was_built(built):
    kinds = [uid.split(".")[0] for uid, status in built.statuses().items() if status == "success"]
    assert kinds.count("seed") == len(list((REPO / "seeds").glob("*.csv"))) == 15
    # an ephemeral model is inlined into the models that read it: it has no node of its own to run
    materialized = [path for path in (REPO / "models").rglob("*.sql")
                    if "materialized='ephemeral'" not in path.read_text(encoding="utf-8")]
    assert kinds.count("model") == len(materialized)


def test_marts_carry_their_comments_for_bi_tools(con):
    comments = dict(con.execute(
        "select table_name, comment from duckdb_tables() where schema_name = 'main'").fetchall())
    assert comments["fact_indicator"].startswith("绩效指标事实")
    uncommented = rows(con, """
        select table_name, column_name from duckdb_columns()
        where schema_name = 'main' and not internal and database_name = current_database()
          and (comment is null or comment = '')""")
    assert uncommented == []


def test_every_documented_column_carries_its_yaml_description(built, con):
    """persist_docs comments every documented column of every model and seed with its description,
    as written (macros/persist_docs.sql comments them without asking DuckDB for the columns first,
    so a documented column a model lacks would fail the build instead)."""
    from flows.layout import WarehouseLayout

    manifest = json.loads((WarehouseLayout.at(built.database.parent).dbt_work / "target" / "manifest.json")
                          .read_text(encoding="utf-8"))
    comments = {(schema, table, column): comment for schema, table, column, comment in con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where database_name = current_database()").fetchall()}
    documented = {(node["schema"], node["alias"], name): column["description"]
                  for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")
                  and node["config"]["materialized"] != "ephemeral"
                  for name, column in node["columns"].items()}
    assert len(documented) > 700
    assert {key: comments.get(key) for key in documented} == documented


# `built` is the nightly load's published file: it also holds the run log (not dbt's), and its
# landing stamps when each file was first seen (the extract verb behind `rebuilt` leaves them null)
RUN_LOG_TABLES = {"etl_runs", "dq_results"}
LANDING_STAMPS = {"dim_document": "exclude (first_seen_at, source_mtime)"}


def _table_contents(path) -> dict[str, list[tuple]]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        tables = [name for (name,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'main' order by 1").fetchall()
            if name not in RUN_LOG_TABLES]
        return {name: sorted(connection.execute(
                    f"select * {LANDING_STAMPS.get(name, '')} from main.{name}").fetchall(), key=repr)
                for name in tables}
    finally:
        connection.close()


def test_rebuild_gives_identical_keys_and_rows(built, rebuilt):
    """The nightly's build of the samples and a second extraction and build of them into another
    file (the extract verb, then dbt) give the same tables, keys and rows."""
    first = _table_contents(built.database)
    second = _table_contents(rebuilt.database)
    assert set(first) == set(second)
    assert {"dim_document", "fact_indicator", "fact_budget_line", "mart_data_quality"} <= set(first)
    for table in first:
        assert first[table] == second[table], table
