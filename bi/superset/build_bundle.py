"""Build the Superset import bundle of the perfbudget dashboard.

bi/superset/dashboard/ holds the dashboard as code in Superset's export format (metadata.yaml,
databases/, datasets/, charts/, dashboards/). Two parts of it are made here, never by hand:

* datasets/ — one YAML per table a chart reads, its columns' verbose names and descriptions taken
  from the dbt column descriptions ("中文 — English": the Chinese part is the verbose name, the
  whole text the description) in models/**/*.yml, so the BI labels cannot drift from the models.
  Column types come from the warehouse (read-only). `etl_latest_run` is no dbt model (flows/runlog.py
  writes it); its descriptions are below.
* each chart's query_context — what `GET /api/v1/chart/<id>/data/` runs (Superset's frontend
  writes it when a chart is saved in the UI). It is derived from the chart's params for the
  three kinds used here: table (raw), pie and echarts_timeseries_bar.

Usage (any Python with duckdb and PyYAML: the BI venv or the project's):

    build_bundle.py --warehouse /abs/perfbudget.duckdb --zip /tmp/perfbudget_dashboard.zip
    build_bundle.py --warehouse data/warehouse/perfbudget.duckdb --write   # refresh datasets/ in git
    build_bundle.py --check      # datasets/ agree with the dbt descriptions (no warehouse needed)
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import uuid
import zipfile
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
BUNDLE = HERE / "dashboard"
ZIP_ROOT = "perfbudget_dashboard"
DATASET_NAMESPACE = uuid.NAMESPACE_URL
DATABASE_UUID = "8f4aaad4-71a3-4477-a286-bd07674fbeea"
SCHEMA = "main"
SEP = " — "

# Tables the dashboard may read. A dataset's uuid is uuid5(NAMESPACE_URL, "perfbudget:dataset:<table>").
TABLES = (
    "mart_unit_budget_summary",
    "mart_budget_reconciliation",
    "mart_project_scorecard",
    "mart_budget_execution",
    "mart_data_quality",
    "etl_latest_run",
)

# etl_latest_run is a view over etl_runs written by flows/runlog.py (RUN_COLUMNS), not a dbt model.
ETL_LATEST_RUN = {
    "description": "最近一次成功加载 — The last successful nightly load "
                   "(etl_runs where status = 'success', latest ended_at)",
    "columns": {
        "run_id": "运行编号 — Run id (UTC start time and a random suffix)",
        "started_at": "开始时间 — When the load started (UTC)",
        "ended_at": "结束时间 — When the load ended (UTC): the data is as fresh as this",
        "status": "状态 — success (this view shows successful loads only)",
        "failed_step": "失败步骤 — Step that failed (null on success)",
        "message": "说明 — Message of the run",
        "inbox": "收件目录 — Folder of published documents that was read",
        "files_seen": "文件数 — Files in the inbox",
        "files_changed": "变更文件数 — Files extracted anew",
        "files_reused": "复用文件数 — Files reused from the extraction cache",
        "files_quarantined": "隔离文件数 — Files moved to quarantine",
        "forms": "表单数 — Forms loaded",
        "warnings": "警告数 — Warnings",
        "errors": "错误数 — Errors",
        "rows_fact_budget_line": "预算行数 — Rows of fact_budget_line",
        "rows_fact_indicator": "指标行数 — Rows of fact_indicator",
        "rows_dim_document": "表单维度行数 — Rows of dim_document",
        "published_file": "发布文件 — The published warehouse file",
        "build_file": "构建文件 — The build file that was renamed into place",
        "quality_docs": "质量文档 — Folder of the run's data-quality documents",
        "seconds": "耗时（秒） — Seconds the load took",
    },
}

_DOC_BLOCK = re.compile(r"{%\s*docs\s+(\w+)\s*%}(.*?){%\s*enddocs\s*%}", re.S)
_DOC_REF = re.compile(r"""^\{\{\s*doc\(\s*['"](\w+)['"]\s*\)\s*\}\}$""")


def dataset_uuid(table: str) -> str:
    return str(uuid.uuid5(DATASET_NAMESPACE, f"perfbudget:dataset:{table}"))


def dbt_docs(repo: Path = REPO) -> dict[str, str]:
    """{% docs name %} blocks of models/**/*.md, by name."""
    docs = {}
    for path in sorted((repo / "models").rglob("*.md")):
        for name, text in _DOC_BLOCK.findall(path.read_text(encoding="utf-8")):
            docs[name] = text.strip()
    return docs


def _description(text: str | None, docs: dict[str, str]) -> str | None:
    """A column description with a {{ doc('x') }} reference resolved to the doc's first line."""
    if not text:
        return None
    text = " ".join(str(text).split())
    if match := _DOC_REF.match(text):
        text = docs[match.group(1)].splitlines()[0].strip()
    return text


def verbose_name(description: str | None) -> str | None:
    """The Chinese label of "中文 — English"."""
    if not description or SEP not in description:
        return None
    return description.split(SEP, 1)[0].strip() or None


def dbt_models(repo: Path = REPO) -> dict[str, dict]:
    """{model: {"description": str, "columns": {name: description}}} from models/**/*.yml."""
    docs = dbt_docs(repo)
    models = {}
    for path in sorted((repo / "models").rglob("*.yml")):
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for model in document.get("models") or []:
            models[model["name"]] = {
                "description": _description(model.get("description"), docs),
                "columns": {column["name"]: _description(column.get("description"), docs)
                            for column in model.get("columns") or []},
            }
    models["etl_latest_run"] = ETL_LATEST_RUN
    return models


def warehouse_columns(warehouse: Path, tables: tuple[str, ...]) -> dict[str, list[tuple[str, str]]]:
    """[(column, type)] per table, read from the warehouse opened read-only."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select table_name, column_name, data_type from information_schema.columns "
            "where table_schema = ? order by table_name, ordinal_position", [SCHEMA]).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        found.setdefault(table, []).append((column, kind))
    missing = [table for table in tables if table not in found]
    if missing:
        raise SystemExit(f"{warehouse}: no table or view {', '.join(missing)}")
    return {table: found[table] for table in tables}


def dataset(table: str, model: dict, columns: list[tuple[str, str | None]]) -> dict:
    """One dataset YAML document (Superset ImportV1DatasetSchema)."""
    described = model["columns"]
    names = [name for name, _ in columns]
    lost = [name for name in described if name not in names]
    if lost:
        raise SystemExit(f"{table}: documented columns missing from the warehouse: {', '.join(lost)}")
    entries = []
    for name, kind in columns:
        description = described.get(name)
        entries.append({
            "column_name": name,
            "verbose_name": verbose_name(description),
            "description": description,
            "type": kind,
            "is_dttm": bool(kind) and kind.upper().startswith(("TIMESTAMP", "DATE")),
            "is_active": True,
            "groupby": True,
            "filterable": True,
            "expression": None,
            "python_date_format": None,
            "extra": {},
        })
    return {
        "table_name": table,
        "main_dttm_col": None,
        "description": model["description"],
        "default_endpoint": None,
        "offset": 0,
        "cache_timeout": None,
        "catalog": None,
        "schema": SCHEMA,
        "sql": None,
        "params": None,
        "template_params": None,
        "filter_select_enabled": True,
        "fetch_values_predicate": None,
        "extra": None,
        "uuid": dataset_uuid(table),
        "metrics": [{
            "metric_name": "count",
            "verbose_name": "行数 / Rows",
            "metric_type": "count",
            "expression": "COUNT(*)",
            "description": None,
            "d3format": None,
            "extra": {},
            "warning_text": None,
        }],
        "columns": entries,
        "version": "1.0.0",
        "database_uuid": DATABASE_UUID,
    }


def datasets(warehouse: Path | None, tables: tuple[str, ...] = TABLES) -> dict[str, dict]:
    """{file name in the bundle: dataset document}; without a warehouse, columns in dbt order, no types."""
    models = dbt_models()
    unknown = [table for table in tables if table not in models]
    if unknown:
        raise SystemExit(f"no dbt model (or description) for {', '.join(unknown)}")
    if warehouse is not None:
        typed = warehouse_columns(warehouse, tables)
    else:
        typed = {table: [(name, None) for name in models[table]["columns"]] for table in tables}
    return {f"datasets/perfbudget/{table}.yaml": dataset(table, models[table], typed[table]) for table in tables}


def _where(params: dict) -> str:
    clauses = []
    for adhoc in params.get("adhoc_filters") or []:
        if adhoc.get("expressionType") != "SQL" or adhoc.get("clause") != "WHERE":
            raise SystemExit(f"only SQL WHERE filters are supported here, not {adhoc}")
        clauses.append(f"({adhoc['sqlExpression']})")
    return " AND ".join(clauses)


def query_context(chart: dict) -> str:
    """The saved query of a chart, as the frontend would build it from its params (no post-processing:
    the data endpoint returns the grouped rows the chart draws)."""
    params = chart["params"]
    viz = chart["viz_type"]
    query: dict = {
        "filters": [],
        "extras": {"where": _where(params), "having": ""},
        "applied_time_extras": {},
        "time_range": "No filter",
        "granularity": None,
        "annotation_layers": [],
        "url_params": {},
        "custom_params": {},
        "custom_form_data": {},
        "is_timeseries": False,
        "order_desc": True,
        "series_limit": 0,
        "row_limit": params.get("row_limit"),
        "post_processing": [],
    }
    if viz == "table" and params.get("query_mode") == "raw":
        query.update(columns=list(params["all_columns"]), metrics=[],
                     orderby=[json.loads(item) for item in params.get("order_by_cols") or []])
    elif viz == "pie":
        metric = params["metric"]
        query.update(columns=list(params["groupby"]), metrics=[metric],
                     orderby=[[metric, False]] if params.get("sort_by_metric") else [])
    elif viz == "echarts_timeseries_bar":
        metrics = list(params["metrics"])
        query.update(columns=[params["x_axis"], *params.get("groupby", [])], metrics=metrics,
                     orderby=[[metrics[0], False]])
    else:
        raise SystemExit(f"{chart['slice_name']}: no query_context rule for viz_type {viz}")
    return json.dumps({
        "datasource": {"id": 0, "type": "table"},
        "force": False,
        "queries": [query],
        "form_data": params,
        "result_format": "json",
        "result_type": "full",
    }, ensure_ascii=False)


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _dump(document: dict) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)


def bundle_files(warehouse: Path | None) -> dict[str, str]:
    """Every file of the import bundle, relative to its root, with the database pointed at `warehouse`."""
    files: dict[str, str] = {"metadata.yaml": (BUNDLE / "metadata.yaml").read_text(encoding="utf-8")}
    database = _load(BUNDLE / "databases" / "perfbudget.yaml")
    if warehouse is not None:
        database["sqlalchemy_uri"] = f"duckdb:///{warehouse.resolve()}"
    files["databases/perfbudget.yaml"] = _dump(database)
    known = {dataset_uuid(table): table for table in TABLES}
    used: list[str] = []
    for path in sorted((BUNDLE / "charts").glob("*.yaml")):
        chart = _load(path)
        if chart["dataset_uuid"] not in known:
            raise SystemExit(f"{path.name}: dataset_uuid {chart['dataset_uuid']} is none of {TABLES}")
        table = known[chart["dataset_uuid"]]
        used += [table] if table not in used else []
        chart = copy.deepcopy(chart)
        chart["query_context"] = query_context(chart)
        files[f"charts/{path.name}"] = _dump(chart)
    for name, document in datasets(warehouse, tuple(table for table in TABLES if table in used)).items():
        files[name] = _dump(document)
    for path in sorted((BUNDLE / "dashboards").glob("*.yaml")):
        files[f"dashboards/{path.name}"] = path.read_text(encoding="utf-8")
    return files


def write_zip(warehouse: Path, target: Path) -> Path:
    files = bundle_files(warehouse)
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as bundle:
        for name, text in files.items():
            bundle.writestr(f"{ZIP_ROOT}/{name}", text)
    return target


def write_sources(warehouse: Path) -> list[Path]:
    """Regenerate the committed datasets/ from the dbt descriptions and the warehouse's types."""
    written = []
    for name, document in datasets(warehouse).items():
        path = BUNDLE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(document), encoding="utf-8")
        written.append(path)
    return written


def check_sources() -> list[str]:
    """Differences between the committed datasets/ and the dbt descriptions (types are not compared)."""
    problems = []
    for name, expected in datasets(None).items():
        path = BUNDLE / name
        if not path.exists():
            problems.append(f"{name}: missing (run build_bundle.py --write)")
            continue
        committed = _load(path)
        for key in ("table_name", "description", "uuid", "database_uuid", "schema"):
            if committed.get(key) != expected[key]:
                problems.append(f"{name}: {key} is {committed.get(key)!r}, dbt says {expected[key]!r}")
        have = {column["column_name"]: column for column in committed["columns"]}
        for column in expected["columns"]:
            got = have.get(column["column_name"])
            if got is None:
                problems.append(f"{name}: column {column['column_name']} missing")
                continue
            for key in ("verbose_name", "description"):
                if got.get(key) != column[key]:
                    problems.append(f"{name}: {column['column_name']}.{key} is {got.get(key)!r}, "
                                    f"dbt says {column[key]!r}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, help="the published perfbudget.duckdb (opened read-only)")
    parser.add_argument("--zip", type=Path, help="write the import bundle here")
    parser.add_argument("--write", action="store_true", help="regenerate bi/superset/dashboard/datasets/")
    parser.add_argument("--check", action="store_true", help="check datasets/ against the dbt descriptions")
    args = parser.parse_args(argv)
    if not (args.zip or args.write or args.check):
        parser.error("give --zip, --write or --check")
    if (args.zip or args.write) and args.warehouse is None:
        parser.error("--zip and --write need --warehouse")
    if args.warehouse is not None and not args.warehouse.is_file():
        parser.error(f"no warehouse file {args.warehouse}")
    if args.write:
        for path in write_sources(args.warehouse):
            print(f"wrote {path.relative_to(REPO)}")
    if args.check:
        problems = check_sources()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            return 1
        print("datasets agree with the dbt descriptions")
    if args.zip:
        print(write_zip(args.warehouse, args.zip))
    return 0


if __name__ == "__main__":
    sys.exit(main())
