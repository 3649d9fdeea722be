"""`perfbudget serve` registers nightly_load as a cron deployment on a real Prefect server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from flow_sites import REPO_ROOT

from flows.cli import build_parser, uses_prefect
from flows.prefect_env import start_local_server, stop_server


def api_post(api_url: str, path: str, body: dict) -> list | dict:
    request = urllib.request.Request(f"{api_url}{path}", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def api_get(api_url: str, path: str) -> dict:
    with urllib.request.urlopen(f"{api_url}{path}", timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def prefect_server(tmp_path, prefect_database):
    """`prefect server start` on a free loopback port, PREFECT_HOME in the session's temp dir."""
    process, api_url = start_local_server(log_file=tmp_path / "server.log")
    try:
        yield api_url
    finally:
        stop_server(process)
    assert process.poll() is not None


def test_serve_registers_the_deployment_with_its_cron_and_timezone(prefect_server, tmp_path):
    serve = subprocess.Popen([sys.executable, "-m", "flows.cli", "serve", "--inbox", str(REPO_ROOT / "data/samples"),
                              "--warehouse", str(tmp_path / "warehouse")], cwd=REPO_ROOT,
                             env={**os.environ, "PREFECT_API_URL": prefect_server},
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        deployments = []
        while not deployments:
            assert serve.poll() is None, serve.stdout.read()
            assert time.monotonic() < deadline, "no deployment registered"
            time.sleep(0.5)
            deployments = api_post(prefect_server, "/deployments/filter",
                                   {"deployments": {"name": {"any_": ["nightly"]}}})
    finally:
        os.killpg(serve.pid, signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(serve.pid, signal.SIGKILL)
            serve.wait()
    (deployment,) = deployments
    assert api_get(prefect_server, f"/flows/{deployment['flow_id']}")["name"] == "nightly_load"
    (schedule,) = deployment["schedules"]
    assert schedule["active"] is True
    assert schedule["schedule"]["cron"] == "0 2 * * *"
    assert schedule["schedule"]["timezone"] == "Asia/Shanghai"
    assert deployment["parameters"] == {"inbox": str(REPO_ROOT / "data/samples"),
                                        "warehouse": str(tmp_path / "warehouse")}


def test_schedule_is_configurable_by_flags_and_env(monkeypatch, capsys):
    args = build_parser().parse_args(["serve", "--inbox", "data/inbox"])
    assert (args.cron, args.timezone, args.inbox, args.warehouse) == (
        "0 2 * * *", "Asia/Shanghai", "data/inbox", "data/warehouse")
    args = build_parser().parse_args(["serve", "--inbox", "in", "--cron", "30 3 * * 1-5", "--timezone", "UTC"])
    assert (args.cron, args.timezone) == ("30 3 * * 1-5", "UTC")
    monkeypatch.setenv("PERFBUDGET_CRON", "15 1 * * *")
    monkeypatch.setenv("PERFBUDGET_TIMEZONE", "Europe/Berlin")
    args = build_parser().parse_args(["serve", "--inbox", "in"])
    assert (args.cron, args.timezone) == ("15 1 * * *", "Europe/Berlin")
    args = build_parser().parse_args(["run"])
    assert (args.inbox, args.warehouse, args.direct, args.prefect) == ("data/samples", "data/warehouse", False, False)


def test_serve_refuses_to_schedule_without_an_inbox(capsys):
    """A schedule on the bundled samples would load them every night into a real warehouse."""
    with pytest.raises(SystemExit) as refused:
        build_parser().parse_args(["serve"])
    assert refused.value.code == 2
    assert "the following arguments are required: --inbox" in capsys.readouterr().err


def test_run_uses_prefect_only_with_a_server_or_when_asked(monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    assert not uses_prefect(build_parser().parse_args(["run"]))
    assert uses_prefect(build_parser().parse_args(["run", "--prefect"]))
    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:4200/api")
    assert uses_prefect(build_parser().parse_args(["run"]))
    assert not uses_prefect(build_parser().parse_args(["run", "--direct"]))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--direct", "--prefect"])


def test_help_shows_defaults_and_version_names_the_extractor(capsys):
    from extract import EXTRACTOR_VERSION

    with pytest.raises(SystemExit):
        build_parser().parse_args(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "--inbox INBOX folder of published documents (default: data/samples)" in text
    assert "--warehouse WAREHOUSE warehouse folder (default: data/warehouse)" in text
    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out == f"perfbudget 0.1.0 (extractor {EXTRACTOR_VERSION})\n"
