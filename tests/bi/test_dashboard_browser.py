"""The Superset dashboard, end to end: publish the samples warehouse with the nightly flow, set
Superset up against it (bi/superset/setup.sh), serve it on a free loopback port, check every
chart's data through the API against the same query run on the marts with duckdb, then load the
dashboard in headless Chromium and check every chart drew without an error; the screenshot goes
to docs/img/dashboard.png.

Needs bi/.venv, /usr/bin/chromium and fonts-noto-cjk: run it with bi/superset/ci_stage.sh, which
installs them (PERFBUDGET_BI_TEST=1; skipped otherwise).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parents[2]
BI_DIR = REPO / "bi" / "superset"
BI_PYTHON = Path(os.environ.get("PERFBUDGET_BI_VENV", REPO / "bi" / ".venv")) / "bin" / "python"
SCREENSHOT = REPO / "docs" / "img" / "dashboard.png"

pytestmark = [
    pytest.mark.bi,
    pytest.mark.skipif(os.environ.get("PERFBUDGET_BI_TEST") != "1",
                       reason="Superset browser test: run bi/superset/ci_stage.sh (PERFBUDGET_BI_TEST=1)"),
]

# Each chart of the dashboard, by title, and the query on the marts it must return (aliases are the
# chart's column and metric labels). Written here, apart from the bundle, so the two check each other.
EXPECTED = {
    "数据新鲜度 / Freshness":
        "select ended_at, status, run_id, files_seen, forms, warnings, errors, seconds from etl_latest_run",
    "数据质量发现（按严重程度） / Data quality by severity":
        'select severity, count(*) as "发现数" from mart_data_quality group by severity',
    "各单位年度资金 / Funds by unit and year":
        """select unit_name || '（' || fiscal_year || '）' as "单位（年度）",
                  sum(total_funds_wan) as "资金总额（万元）",
                  sum(basic_expenditure_wan) as "基本支出（万元）",
                  sum(project_expenditure_wan) as "项目支出（万元）"
           from mart_unit_budget_summary group by 1""",
    "预算执行 / Budget execution":
        """select unit_name, fiscal_year, evaluation_grade, initial_budget_wan, final_expenditure_wan,
                  execution_rate_pct, target_total_funds_wan, target_execution_rate_pct
           from mart_budget_execution""",
    "资金核对未通过 / Reconciliation breaks":
        """select unit_name, project_name, fiscal_year, check_code, check_name_zh, lhs_value, rhs_value,
                  difference, difference_unit, status
           from mart_budget_reconciliation where status in ('fail', 'unknowable')""",
    "半年计划占比与半年预算执行率目标 / Half-year plan vs 预算执行率 target":
        """select project_name, max(half_year_rate_target_pct) as "半年预算执行率目标（%）",
                  max(half_year_plan_share_pct) as "半年计划占比（%）"
           from mart_project_scorecard where half_year_rate_status <> 'not_applicable' group by project_name""",
    "模糊目标值 / Vague targets":
        """select unit_name, project_name, n_vague, vague_values, has_only_vague_benefits
           from mart_project_scorecard where n_vague > 0""",
    "缺少成本指标的项目 / Projects missing 成本指标":
        """select unit_name, project_name, fiscal_year, n_indicators, n_cost, missing_core_dimensions
           from mart_project_scorecard where n_indicators > 0 and not has_cost_indicator""",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(command: list[str], log: Path, env: dict[str, str], timeout: float) -> None:
    with log.open("w") as stream:
        done = subprocess.run(command, cwd=REPO, env=env, stdout=stream, stderr=subprocess.STDOUT, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{log.read_text()[-4000:]}"


class Api:
    def __init__(self, base: str):
        self.base = base
        self.token: str | None = None

    def call(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.base + path, data=None if body is None else json.dumps(body).encode(),
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, {"body": error.read().decode(errors="replace")[:2000]}


@pytest.fixture(scope="module")
def superset(tmp_path_factory):
    """(api logged in as admin, its password, the warehouse, the work folder), Superset serving meanwhile."""
    if not BI_PYTHON.exists():
        pytest.fail(f"no {BI_PYTHON}: run bi/superset/ci_stage.sh")
    work = tmp_path_factory.mktemp("bi")
    # the marts as the night builds them; dbt's own tests are the main suite's business (they run
    # on the same samples there), so this build skips them to keep the CI stage short
    env = {**os.environ, "DBT_PROFILES_DIR": str(REPO / "profiles"), "PREFECT_HOME": str(work / "prefect"),
           "DO_NOT_TRACK": "1", "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "GX_ANALYTICS_ENABLED": "false",
           "PERFBUDGET_DBT_ARGS": "--exclude resource_type:test"}
    _run([sys.executable, "-m", "flows.cli", "run", "--direct", "--inbox", "data/samples",
          "--warehouse", str(work / "warehouse")], work / "flow.log", env, timeout=900)
    warehouse = work / "warehouse" / "perfbudget.duckdb"
    assert warehouse.is_file()

    # token_urlsafe may begin with "-", which argparse takes for an option (CI failed on it once);
    # the password here always does, so every run checks that it reaches Superset and the browser whole.
    password = "-" + secrets.token_urlsafe(12)
    env = {**os.environ, "PERFBUDGET_BI_HOME": str(work / "bi-home"), "SUPERSET_ADMIN_PASSWORD": password}
    _run(["bash", str(BI_DIR / "setup.sh"), "--fresh", str(warehouse)], work / "setup.log", env, timeout=1800)

    port = _free_port()
    log = (work / "serve.log").open("w")
    # gunicorn's access log into serve.log: what each request got, for a failure's message
    server = subprocess.Popen(["bash", str(BI_DIR / "serve.sh")], cwd=REPO,
                              env={**env, "PORT": str(port), "GUNICORN_CMD_ARGS": "--access-logfile -"},
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    api = Api(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 180
        while True:
            assert server.poll() is None, f"serve.sh ended:\n{(work / 'serve.log').read_text()[-4000:]}"
            try:
                with urllib.request.urlopen(f"{api.base}/health", timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, "Superset did not answer /health in 180 s"
            time.sleep(1)
        status, body = api.call("/api/v1/security/login",
                                {"username": "admin", "password": password, "provider": "db", "refresh": False})
        assert status == 200, body
        api.token = body["access_token"]
        yield api, password, warehouse, work
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _value(value):
    """One cell, comparable across the API's JSON and duckdb's Python values."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, dt.datetime):  # the API sends timestamps as epoch milliseconds
        return round(value.timestamp() * 1000, 3)
    if isinstance(value, int | float | Decimal):
        return round(float(value), 6)
    return value


def _rows(rows: list[tuple]) -> list[tuple]:
    return sorted((tuple(_value(value) for value in row) for row in rows), key=repr)


def test_every_chart_returns_the_marts_rows(superset):
    api, _, warehouse, _ = superset
    status, body = api.call("/api/v1/dashboard/perfbudget/charts")
    assert status == 200, body
    charts = {chart["slice_name"]: chart["id"] for chart in body["result"]}
    assert set(charts) == set(EXPECTED)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for name, sql in EXPECTED.items():
            status, body = api.call(f"/api/v1/chart/{charts[name]}/data/")
            assert status == 200, f"{name}: {body}"
            (result,) = body["result"]
            assert result.get("error") is None, f"{name}: {result['error']}"
            cursor = connection.execute(sql)
            columns = [column[0] for column in cursor.description]
            expected = cursor.fetchall()
            assert result["colnames"] == columns, name
            got = [tuple(row[column] for column in columns) for row in result["data"]]
            assert expected, f"{name}: the samples give this chart no rows"
            assert _rows(got) == _rows(expected), name


def test_dashboard_renders_every_chart_in_chromium(superset):
    _, password, _, work = superset
    profile = work / "chromium-profile"
    profile.mkdir()
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [str(BI_PYTHON), str(Path(__file__).with_name("browser_check.py")), "--base", superset[0].base,
         f"--password={password}", "--charts", str(len(EXPECTED)), "--profile", str(profile),
         "--screenshot", str(SCREENSHOT)],
        cwd=REPO, capture_output=True, text=True, timeout=600)
    served = (work / "serve.log").read_text(errors="replace").splitlines()
    assert done.returncode == 0, done.stderr[-3000:] + "\nserve.log:\n" + "\n".join(served[-40:])[-3000:]
    report = json.loads(done.stdout)
    if report["login_tries"] > 1:
        warnings.warn(f"signing in took {report['login_tries']} tries", stacklevel=1)
    assert report["external_requests"] == [], "the page tried to reach other hosts"
    names = {chart["name"] for chart in report["charts"]}
    assert names == set(EXPECTED), names
    for chart in report["charts"]:
        assert not chart["error"], f"{chart['name']}: {chart['error']}"
        assert not chart["empty"], f"{chart['name']} shows no data: {chart['text']}"
        assert chart["drawn"], f"{chart['name']} drew nothing: {chart['text']}"
    assert SCREENSHOT.stat().st_size > 50_000


def test_a_bundle_superset_cannot_import_fails_the_setup_naming_the_step(superset, tmp_path):
    """setup_steps.py runs Superset's commands in one process: a failed import stops the setup
    with the step, its exit and Superset's own traceback on stderr (Alembic's logging config,
    loaded by `db upgrade` in the same process, must not have silenced it); the password is never
    printed. On a copy of the set-up metadata db, so the served one is untouched."""
    _, password, warehouse, work = superset
    home = tmp_path / "bi-home"
    home.mkdir()
    shutil.copy2(work / "bi-home" / "superset.db", home / "superset.db")
    broken = tmp_path / "broken.json"
    broken.write_text("{\n", encoding="utf-8")
    env = {**os.environ, "PERFBUDGET_BI_HOME": str(home), "SUPERSET_CONFIG_PATH": str(BI_DIR / "superset_config.py"),
           "PERFBUDGET_BI_ADMIN_PASSWORD": password, "SUPERSET_LOG_LEVEL": "warning"}
    done = subprocess.run([str(BI_PYTHON), str(BI_DIR / "setup_steps.py"), "--bundle", str(broken),
                           "--warehouse", str(warehouse), "--log", str(home / "steps.log")],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "== superset db upgrade",
        "== superset fab reset-password --username admin",  # the copied db has its admin already
        "== superset init",
        f"== superset import-dashboards -p {broken}",
    ]
    first, *rest = done.stderr.splitlines()
    assert first == f"!! superset import-dashboards -p {broken} exited with 1; the last lines of {home / 'steps.log'}:"
    assert rest[-1].startswith("simplejson.errors.JSONDecodeError: Expecting property name"), rest[-5:]
    assert password not in done.stdout + done.stderr
