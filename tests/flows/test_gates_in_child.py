"""flows.gates: a full build of a large inbox runs each quality gate in a child process, so that
Great Expectations and its batches never stay in the load's process while dbt builds."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from expectations.runner import validate_staging
from flows import gates
from flows.extraction import run_extraction
from flows.inbox import discover_documents

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "data" / "samples"

# From a fresh interpreter: the staging gate in a child on the samples' staging, then, in the
# warmed child, on a copy with one bad row; prints what came back and what this process holds.
CHILD_GATES = """
import json, sys
from pathlib import Path
from expectations.runner import GateFailed
from flows import gates
report = gates.gate_staging(Path(sys.argv[1]), Path(sys.argv[3]), in_child=True)
gates.warm()
try:
    gates.gate_staging(Path(sys.argv[2]), in_child=True)
    failed = None
except GateFailed as failure:
    failed = [[o.table, o.column, o.unexpected_count] for o in failure.report.failures]
print(json.dumps({"outcomes": [[o.suite, o.check, o.column, o.success, o.observed] for o in report.outcomes],
                  "docs": report.docs_index.name, "failed": failed, "warm_left": gates._warm is not None,
                  "library_here": "great_expectations" in sys.modules}))
"""


@pytest.fixture(scope="module")
def staging(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("staging")
    run_extraction(SAMPLES, out, tmp_path_factory.mktemp("quarantine"))
    return out


def test_only_the_full_build_of_a_large_inbox_is_a_lean_night(tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_bytes(b"x" * 1000)
    listing = discover_documents(tmp_path)
    monkeypatch.setattr(gates, "LEAN_MIN_BYTES", 1000)
    assert gates.lean_night(listing, full_build=True)
    assert not gates.lean_night(listing, full_build=False)  # an incremental night
    monkeypatch.setattr(gates, "LEAN_MIN_BYTES", 1001)
    assert not gates.lean_night(listing, full_build=True)


def test_the_inbox_size_is_its_files_bytes_and_a_vanished_file_counts_nothing(tmp_path):
    (tmp_path / "a.txt").write_bytes(b"x" * 1000)
    (tmp_path / "b.txt").write_bytes(b"y" * 234)
    listing = discover_documents(tmp_path)
    (tmp_path / "b.txt").unlink()
    assert gates.listing_bytes(listing) == 1000
    assert gates.listing_bytes(discover_documents(SAMPLES)) == sum(p.stat().st_size for p in SAMPLES.iterdir())


def test_a_gate_in_a_child_gives_the_same_outcomes_raises_here_and_leaves_the_library_out(staging, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    for path in staging.glob("*.csv"):
        (broken / path.name).write_bytes(path.read_bytes())
    with (broken / "budget_lines.csv").open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    rows[0]["direction"] = "sideways"
    with (broken / "budget_lines.csv").open("w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    completed = subprocess.run([sys.executable, "-c", CHILD_GATES, str(staging), str(broken), str(tmp_path / "docs")],
                               cwd=REPO, capture_output=True, text=True, timeout=300, check=True)
    child = json.loads(completed.stdout.strip().splitlines()[-1])
    here = validate_staging(staging)
    assert child["outcomes"] == [[o.suite, o.check, o.column, o.success, o.observed] for o in here.outcomes]
    assert len(child["outcomes"]) > 30 and all(success for *_, success, _ in child["outcomes"])
    assert child["docs"] == "index.html" and (tmp_path / "docs" / "index.html").exists()
    assert child["failed"] == [["budget_lines", "direction", 1]]  # GateFailed, raised in the load's process
    assert child["warm_left"] is False  # the warmed child ran the second gate and is gone
    assert child["library_here"] is False


def test_an_unused_warm_child_is_stopped():
    gates.warm()
    processes = list(gates._warm._processes.values())
    gates.discard()
    # stop_pool has terminated and joined it; the executor's own thread may reap it at the same
    # moment, and a join that loses that race reads no exit code although the process is gone:
    # the exit code is read again until the winner has stored it
    deadline = time.monotonic() + 10
    while any(process.exitcode is None for process in processes) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gates._warm is None and processes and all(process.exitcode is not None for process in processes)


def test_a_lean_build_runs_dbt_with_one_thread_450mb_and_any_row_order_unless_told_otherwise(tmp_path, monkeypatch):
    from flows import build

    monkeypatch.delenv("PERFBUDGET_DUCKDB_MEMORY_LIMIT", raising=False)
    monkeypatch.delenv("PERFBUDGET_DUCKDB_PRESERVE_INSERTION_ORDER", raising=False)
    monkeypatch.delenv("PERFBUDGET_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD", raising=False)
    monkeypatch.delenv("PERFBUDGET_DBT_ARGS", raising=False)
    monkeypatch.delenv("PERFBUDGET_DBT_FEWER_COLLECTIONS", raising=False)
    monkeypatch.delenv("PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS", raising=False)

    def invocation(lean: bool, extra_args: list[str] | None = None):
        return build._invocation(tmp_path / "w.duckdb", tmp_path / "staging", tmp_path / "work", REPO, extra_args,
                                 None, lean)

    lean, usual = invocation(True), invocation(False)
    assert lean.command[lean.command.index("--threads") + 1] == "1" and "--threads" not in usual.command
    assert (lean.env["PERFBUDGET_DUCKDB_MEMORY_LIMIT"], lean.env["PERFBUDGET_DUCKDB_PRESERVE_INSERTION_ORDER"]) == (
        "450MB", "false")
    assert lean.env["PERFBUDGET_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD"] == "16MB"
    assert lean.env["PERFBUDGET_DBT_FEWER_COLLECTIONS"] == "false"  # CPython's own collections
    assert "PERFBUDGET_DBT_FEWER_COLLECTIONS" not in usual.env
    assert lean.env["PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS"] == "false"  # dbt's events as dbt fires them
    assert "PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS" not in usual.env
    assert "PERFBUDGET_DUCKDB_MEMORY_LIMIT" not in usual.env  # the profile's 1GB, insertion order kept
    assert "PERFBUDGET_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD" not in usual.env
    assert "PERFBUDGET_DUCKDB_PRESERVE_INSERTION_ORDER" not in usual.env
    monkeypatch.setenv("PERFBUDGET_DUCKDB_MEMORY_LIMIT", "2GB")
    told = invocation(True, ["--threads", "4"])
    assert told.env["PERFBUDGET_DUCKDB_MEMORY_LIMIT"] == "2GB" and told.command.count("--threads") == 1
    assert told.command[told.command.index("--threads") + 1] == "4"
