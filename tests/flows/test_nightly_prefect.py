"""The real Prefect flow (`perfbudget run --prefect`, temporary local server) and its task wiring."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import duckdb
from flow_sites import QUICK_DBT_ARGS, REPO_ROOT, new_site

from expectations.runner import GateFailed
from flows import runlog
from flows.build import DbtBuildFailed
from flows.gates import gate_staging

# Two `perfbudget run --prefect`s in one process: one temporary Prefect server serves both flow runs.
TWO_RUNS = """
import os, sys
from flows.cli import main
inbox, warehouse = sys.argv[1:3]
os.environ["PERFBUDGET_DBT_ARGS"] = sys.argv[3]
print("exit", main(["run", "--prefect", "--inbox", inbox, "--warehouse", warehouse]), flush=True)
# dbt selects nothing, so the marts gate finds no tables: the flow must fail naming the check
os.environ["PERFBUDGET_DBT_ARGS"] = "--select no_such_node"
print("exit", main(["run", "--prefect", "--inbox", inbox, "--warehouse", warehouse]), flush=True)
"""


def test_run_verb_publishes_quarantines_and_fails_at_a_gate_through_prefect(tmp_path, prefect_database):
    site = new_site(tmp_path / "site")
    (site.inbox / "zz_corrupt.txt").write_bytes(b"\x00\xff\x00 PK\x03\x04 binary junk " * 40)

    done = subprocess.run([sys.executable, "-c", TWO_RUNS, str(site.inbox), str(site.warehouse), QUICK_DBT_ARGS],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, "PREFECT_LOGGING_LEVEL": "WARNING"})
    assert "exit 0\n" in done.stdout, done.stderr[-3000:]
    first, second = done.stdout.split("exit 0\n", 1)
    table = dict(line.split(None, 1) for line in first.splitlines() if line and not line.startswith("-"))
    assert table["files"] == "6"
    assert table["quarantined"] == "1 (zz_corrupt.txt: binary_file at L1)"
    assert table["published"] == str(site.published)
    assert table["forms"].startswith("16 ")
    assert {"changed", "warnings", "seconds"} <= set(table) and any(k.startswith("rows") for k in table)
    assert (site.quarantine / "zz_corrupt.txt").exists()
    issues = (site.staging / "extraction_issues.csv").read_text(encoding="utf-8").splitlines()
    assert any(line.startswith("zz_corrupt.txt,") and ",error," in line for line in issues)
    published_before = hashlib.sha256(site.published.read_bytes()).hexdigest()
    runs = runlog.read_runs(site.run_log)
    assert [run.status for run in runs] == ["success", "failed"]

    assert second.strip().endswith("exit 1"), done.stdout
    assert "perfbudget run: nightly load failed" in done.stderr
    assert "marts gate failed" in done.stderr and "table_is_readable" in done.stderr
    with duckdb.connect(str(site.published), read_only=True) as connection:
        assert connection.execute("select count(*) from dim_document").fetchone() == (16,)
        assert connection.execute("select status, files_quarantined from etl_runs").fetchall() == [("success", 1)]
    assert hashlib.sha256(site.published.read_bytes()).hexdigest() == published_before
    last = runs[-1]
    assert (last.failed_step, last.files_changed) == ("gate_marts", 0)
    assert any(c.run_id == last.run_id and c.check_name == "table_is_readable" and not c.success
               for c in runlog.read_checks(site.run_log))
    assert not (REPO_ROOT / "gx").exists()


def test_each_task_wraps_one_library_step_and_retries_only_transient_errors():
    from prefect.states import Completed, Failed

    from flows import nightly
    from flows.load import STEPS

    assert set(nightly.TASKS) == set(STEPS)
    for name, task in nightly.TASKS.items():
        assert task.fn is STEPS[name] and task.name == name
        assert task.retries == nightly.TASK_RETRIES >= 1
    assert nightly.TASKS["gate_staging"].fn is gate_staging
    assert nightly.is_transient(OSError("disk busy")) and nightly.is_transient(TimeoutError())
    assert nightly.is_transient(duckdb.IOException("Could not set lock on file"))
    assert not nightly.is_transient(ValueError("bad"))
    assert not nightly.is_transient(DbtBuildFailed.__new__(DbtBuildFailed))
    assert not nightly.is_transient(GateFailed.__new__(GateFailed))
    retry = nightly._retry_transient
    assert retry(None, None, Failed(data=OSError("disk busy")))
    assert not retry(None, None, Failed(data=GateFailed.__new__(GateFailed)))
    assert not retry(None, None, Completed(data=1))
