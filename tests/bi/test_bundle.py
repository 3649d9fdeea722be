"""The dashboard bundle agrees with the dbt models: dataset labels are the dbt descriptions, and every
column a chart names is a column of its dataset. Needs no Superset (runs in the project's venv)."""

from __future__ import annotations

import json

import build_bundle
import pytest
import yaml

CHARTS = sorted((build_bundle.BUNDLE / "charts").glob("*.yaml"))


def test_datasets_are_the_dbt_descriptions():
    assert build_bundle.check_sources() == []


def test_verbose_name_is_the_chinese_part():
    assert build_bundle.verbose_name("资金总额（万元） — Total funds") == "资金总额（万元）"
    assert build_bundle.verbose_name("no separator") is None


def test_doc_references_resolve_to_their_first_line():
    columns = build_bundle.dbt_models()["mart_budget_reconciliation"]["columns"]
    assert columns["doc_type"] == "表单类型 — Form type."


@pytest.mark.parametrize("path", CHARTS, ids=[path.stem for path in CHARTS])
def test_chart_columns_exist(path):
    chart = yaml.safe_load(path.read_text(encoding="utf-8"))
    tables = {build_bundle.dataset_uuid(table): table for table in build_bundle.TABLES}
    table = tables[chart["dataset_uuid"]]
    columns = set(build_bundle.dbt_models()[table]["columns"])
    params = chart["params"]
    named = list(params.get("all_columns", [])) + list(params.get("groupby", []))
    named += [json.loads(item)[0] for item in params.get("order_by_cols", [])]
    if isinstance(params.get("x_axis"), str):
        named.append(params["x_axis"])
    assert set(named) <= columns, f"{path.name}: {set(named) - columns} not in {table}"
    context = json.loads(build_bundle.query_context(chart))
    assert context["queries"][0]["columns"]


def test_dashboard_places_every_chart():
    dashboard = yaml.safe_load((build_bundle.BUNDLE / "dashboards" / "perfbudget.yaml").read_text(encoding="utf-8"))
    placed = {node["meta"]["uuid"] for node in dashboard["position"].values()
              if isinstance(node, dict) and node.get("type") == "CHART"}
    charts = {yaml.safe_load(path.read_text(encoding="utf-8"))["uuid"] for path in CHARTS}
    assert dashboard["dashboard_title"] == "预算绩效 / Budget performance"
    assert placed == charts
