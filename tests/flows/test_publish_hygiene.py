"""Publish hygiene: published and kept builds are 0644 whatever the umask; builds are kept
and rolled back by publish order, not run-id order; SIGTERM / SIGINT stop a load cleanly
(dbt's process group and the extraction workers end, the run is logged `failed` with its
step, one line on stderr, exit 128 + signal, the published file untouched)."""

from __future__ import annotations

import hashlib
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import duckdb
import psutil
import pytest
from flow_sites import QUICK_DBT_ARGS, REPO_ROOT, Site

from flows import runlog
from flows.cli import LoadInterrupted, interrupt_on_signals
from flows.layout import WarehouseLayout
from flows.pool import ProcessPool
from flows.publish import ORDER_FILE, kept_builds, publish, rollback
from flows.runlog import RunLogWarning


def make_build(layout: WarehouseLayout, marker: str) -> None:
    layout.building.unlink(missing_ok=True)
    with duckdb.connect(str(layout.building)) as connection:
        connection.execute("create table marker as select ? as run", [marker])


def marker(path: Path) -> str:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select run from marker").fetchone()[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def layout(tmp_path) -> WarehouseLayout:
    layout = WarehouseLayout.at(tmp_path / "warehouse")
    layout.ensure()
    return layout


# --- 1. modes ------------------------------------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o077])
def test_published_file_and_kept_builds_are_0644_whatever_the_umask(layout, umask):
    previous = os.umask(umask)
    try:
        for run_id in ("20260101T000000Z-a", "20260102T000000Z-b"):
            make_build(layout, run_id)
            publish(layout.building, layout, run_id)
            assert (mode(layout.published), mode(layout.build_of(run_id))) == (0o644, 0o644)
        rollback(layout)
        assert marker(layout.published) == "20260101T000000Z-a"
        assert [mode(path) for path in (layout.published, *kept_builds(layout))] == [0o644, 0o644, 0o644]
    finally:
        os.umask(previous)


def test_a_kept_build_of_another_mode_is_made_0644_on_the_next_publish(layout):
    make_build(layout, "a")
    publish(layout.building, layout, "20260101T000000Z-a")
    layout.build_of("20260101T000000Z-a").chmod(0o600)
    make_build(layout, "b")
    publish(layout.building, layout, "20260102T000000Z-b")
    assert mode(layout.build_of("20260101T000000Z-a")) == 0o644


# --- 2. publish order ----------------------------------------------------------------------

# run ids start with the clock's time: here the clock went back before each publish
BACKWARDS = ("20260105T000000Z-e", "20260104T000000Z-d", "20260103T000000Z-c", "20260102T000000Z-b")


def test_builds_are_kept_and_rolled_back_by_publish_order_not_by_run_id(layout, capsys):
    from flows.cli import main

    for run_id in BACKWARDS:
        make_build(layout, run_id)
        publish(layout.building, layout, run_id)
        assert marker(layout.published) == run_id
        assert layout.build_of(run_id).exists()  # the newest build is never pruned at once
    assert [path.stem for path in kept_builds(layout)] == ["20260102T000000Z-b", "20260103T000000Z-c",
                                                            "20260104T000000Z-d"]
    assert not layout.build_of("20260105T000000Z-e").exists()
    assert main(["builds", "--warehouse", str(layout.root)]) == 0
    assert capsys.readouterr().out.split() == ["20260102T000000Z-b", "20260103T000000Z-c", "20260104T000000Z-d"]
    assert rollback(layout).stem == "20260103T000000Z-c"
    assert marker(layout.published) == "20260103T000000Z-c"
    assert rollback(layout).stem == "20260103T000000Z-c"  # a rollback does not change the order
    order = (layout.builds / ORDER_FILE).read_text(encoding="utf-8").splitlines()
    assert [line.split('"')[3] for line in order] == ["20260104T000000Z-d", "20260103T000000Z-c",
                                                       "20260102T000000Z-b"]  # compacted to the kept builds


def test_builds_the_order_does_not_know_count_as_oldest(layout):
    """Builds kept before the order was recorded: older than any recorded, by run id."""
    for run_id in ("20260101T000000Z-a", "20260109T000000Z-z"):
        make_build(layout, run_id)
        os.replace(layout.building, layout.build_of(run_id))
    make_build(layout, "new")
    publish(layout.building, layout, "20260102T000000Z-b")
    assert [path.stem for path in kept_builds(layout)] == ["20260102T000000Z-b", "20260109T000000Z-z",
                                                            "20260101T000000Z-a"]


def test_a_damaged_publish_order_is_skipped_with_a_warning_and_rewritten(layout):
    for run_id in BACKWARDS[:2]:
        make_build(layout, run_id)
        publish(layout.building, layout, run_id)
    order = layout.builds / ORDER_FILE
    good = order.read_bytes()
    order.write_bytes(b"\xff garbage\n" + good + b'{"run_id": "../escape"}\n{"run_id": "20260103T0')
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert [path.stem for path in kept_builds(layout)] == ["20260104T000000Z-d", "20260105T000000Z-e"]
        make_build(layout, "c")
        publish(layout.building, layout, "20260103T000000Z-c")
    messages = {str(warning.message) for warning in caught if issubclass(warning.category, RunLogWarning)}
    assert messages == {f"{order} line 1 skipped: not UTF-8 text (byte 0xff at offset 0)",
                        f"{order} line 4 skipped: no run id of a build",
                        f"{order} line 5 skipped: not valid JSON (Unterminated string starting at, column 12)"}
    assert [path.stem for path in kept_builds(layout)] == ["20260103T000000Z-c", "20260104T000000Z-d",
                                                            "20260105T000000Z-e"]
    assert order.read_bytes().startswith(good)  # healed: the damaged lines are gone
    assert len(order.read_bytes().splitlines()) == 3


# --- 3. stop signals -----------------------------------------------------------------------


def _slow_batch(batch: list) -> list:
    time.sleep(60)
    return []


def _send_when_children(count: int, before: set[int], signum: int, seen: list[int]) -> None:
    """Once `count` child processes not in `before` run (the pool's workers), note them and
    send `signum` to this process."""
    me = psutil.Process()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = [child.pid for child in me.children() if child.pid not in before]
        if len(new) >= count:
            seen.extend(new)
            time.sleep(0.3)
            os.kill(os.getpid(), signum)
            return
        time.sleep(0.02)


def test_a_stop_signal_terminates_the_extraction_workers_at_once():
    """The pool is stopped, not waited for: its batches would take a minute each."""
    workers: list[int] = []
    before = {child.pid for child in psutil.Process().children()}  # e.g. an earlier test's resource tracker
    sender = threading.Thread(target=_send_when_children, args=(2, before, signal.SIGTERM, workers))
    started = time.monotonic()
    with interrupt_on_signals(), pytest.raises(LoadInterrupted) as stopped:
        sender.start()
        for _ in ProcessPool(2, method="fork")(_slow_batch, [[1], [2], [3], [4]]):
            pass
    sender.join()
    assert stopped.value.signum == signal.SIGTERM and str(stopped.value) == "stopped by SIGTERM"
    assert time.monotonic() - started < 20
    assert len(workers) == 2
    assert not [pid for pid in workers if psutil.pid_exists(pid)]


def test_sigint_during_a_step_is_logged_and_reported_in_one_line(site_copy: Site, monkeypatch, capsys):
    """In process (no dbt): Ctrl-C while the staging gate runs."""
    from flows import load
    from flows.cli import main

    def interrupted_gate(*args):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)  # the handler raises here
        raise AssertionError("SIGINT was not raised")

    monkeypatch.setitem(load.STEPS, "gate_staging", interrupted_gate)
    handlers = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    published = hashlib.sha256(site_copy.published.read_bytes()).hexdigest()
    status = main(["run", "--direct", "--force", "--inbox", str(site_copy.inbox),
                   "--warehouse", str(site_copy.warehouse)])
    runs = runlog.read_runs(site_copy.run_log)
    last = runs[-1]
    assert status == 130
    assert (last.status, last.failed_step, last.message) == (runlog.FAILED, "gate_staging",
                                                             "LoadInterrupted: stopped by SIGINT")
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"perfbudget run: stopped by SIGINT during gate_staging; run {last.run_id} recorded as failed; "
        "the published warehouse is unchanged"]
    assert captured.out == ""
    assert hashlib.sha256(site_copy.published.read_bytes()).hexdigest() == published
    assert (signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)) == handlers  # given back


def _dbt_of(pid: int) -> psutil.Process | None:
    for child in psutil.Process(pid).children(recursive=True):
        try:
            command = child.cmdline()
        except psutil.Error:
            continue
        launchers = {"dbt", "dbt.cli.main", "dbt_launch.py"}
        if "build" in command and any(Path(part).name in launchers for part in command[:3]):
            return child
    return None


def _session_members(session: int) -> list[int]:
    """The live processes of a session. An exited one whose parent died waits for the init
    process to reap it (a container's pid 1 may never do so): dbt's multiprocessing resource
    tracker, once dbt is killed, is such a zombie; it runs nothing."""
    members = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session and process.status() != psutil.STATUS_ZOMBIE:
                members.append(process.pid)
        except (OSError, psutil.Error):
            continue
    return members


def test_sigterm_during_dbt_build_stops_dbt_logs_the_run_and_leaves_the_published_file(site_copy: Site):
    """For real: `perfbudget run` in a subprocess, SIGTERM once dbt runs (not while its process,
    started ahead, waits through the staging gate: once its log says it is running)."""
    published = site_copy.published.read_bytes()
    dbt_log = WarehouseLayout.at(site_copy.warehouse).dbt_work / "logs" / "dbt.log"

    def dbt_runs_logged() -> int:
        return dbt_log.read_text(encoding="utf-8").count("Running with dbt=") if dbt_log.exists() else 0

    runs_before = dbt_runs_logged()
    env = {**os.environ, "PERFBUDGET_DBT_ARGS": QUICK_DBT_ARGS}
    command = [str(Path(sys.executable).with_name("perfbudget")), "run", "--direct", "--force",
               "--inbox", str(site_copy.inbox), "--warehouse", str(site_copy.warehouse)]
    load = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        deadline, dbt = time.monotonic() + 180, None
        while (dbt is None or dbt_runs_logged() == runs_before) and time.monotonic() < deadline \
                and load.poll() is None:
            dbt = _dbt_of(load.pid)
            time.sleep(0.1)
        assert dbt is not None, f"dbt never started: {load.communicate()}"
        time.sleep(1.0)  # dbt well into its start-up
        load.send_signal(signal.SIGTERM)
        out, err = load.communicate(timeout=60)
    finally:
        if load.poll() is None:
            load.kill()
            load.communicate()
    runs = runlog.read_runs(site_copy.run_log)
    last = runs[-1]
    assert load.returncode == 143
    # dbt's progress (flows/progress.py) may come first: its first tenth of the nodes is printed at once
    progress = [line for line in err.splitlines() if re.fullmatch(r"  dbt \d+/\d+ nodes", line)]
    assert [line for line in err.splitlines() if line not in progress] == [
        f"perfbudget run: stopped by SIGTERM during dbt_build; run {last.run_id} recorded as failed; "
        "the published warehouse is unchanged"]
    assert err.splitlines()[:len(progress)] == progress  # before it, not after
    assert out == ""
    assert (last.status, last.failed_step, last.message) == (runlog.FAILED, "dbt_build",
                                                             "LoadInterrupted: stopped by SIGTERM")
    assert not psutil.pid_exists(dbt.pid)
    assert _session_members(dbt.pid) == []  # nothing dbt started is left either
    assert site_copy.published.read_bytes() == published
    assert not (site_copy.warehouse / "builds" / ".building.duckdb").exists()
    assert [path.stem for path in kept_builds(WarehouseLayout.at(site_copy.warehouse))] == [runs[0].run_id]


def test_stop_process_group_kills_what_dbt_started(tmp_path):
    """A process group with a grandchild that ignores SIGTERM: both end."""
    from flows.build import stop_process_group

    script = ("import signal, subprocess, sys, time\n"
              "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
              "child = subprocess.Popen([sys.executable, '-c', "
              "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
              "print(child.pid, flush=True)\n"
              "time.sleep(60)\n")
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    grandchild = int(process.stdout.readline())
    started = time.monotonic()
    stop_process_group(process, grace=0.5)
    assert time.monotonic() - started < 10
    assert process.returncode == -signal.SIGKILL
    deadline = time.monotonic() + 5
    while psutil.pid_exists(grandchild) and time.monotonic() < deadline:
        try:
            if psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE:
                break  # killed, waiting for init to reap it
        except psutil.NoSuchProcess:
            break
        time.sleep(0.05)
    assert not psutil.pid_exists(grandchild) or psutil.Process(grandchild).status() == psutil.STATUS_ZOMBIE
