"""`dbt build` of the warehouse into a new DuckDB file, in a subprocess.

dbt runs as its own process with the repository root as working directory (STACK.md traps
3 and 5): when it exits, no connection to the new file is left open, and a killed load
cannot leave a half-written published warehouse because dbt never sees that path. The
database file and the staging folder reach the profile and the sources through
`PERFBUDGET_DUCKDB_PATH` and `PERFBUDGET_STAGING_DIR` (profiles/profiles.yml,
models/staging/_perfbudget__sources.yml). dbt's target/ and logs/ go to a work folder of the
warehouse, so a nightly build never races a developer's `target/`.

dbt starts in its own session (process group): whatever stops the load while dbt runs — a
timeout, SIGTERM or Ctrl-C raised as an exception in the load, any other exception — the
whole group (dbt and anything it started) is terminated, then killed, before the exception
goes on. Its own session also keeps it out of a kill aimed at the load's group, so on Linux
dbt asks the kernel to SIGKILL it when the load process dies (`PR_SET_PDEATHSIG`, set by its
launcher, flows/dbt_launch.py): a load killed outright (SIGKILL, OOM killer) does not leave a
dbt writing into — and locking — `builds/.building.duckdb` either.

dbt reuses its parse of the project (target/partial_parse.msgpack) from one build of a
warehouse to the next; with $PERFBUDGET_DBT_PARSE_CACHE set, a new warehouse folder starts
from the parse another folder kept there (flows/dbt_launch.py says why that is sound).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from flows.dbt_launch import DROP_UNLOGGED_EVENTS, FEWER_COLLECTIONS
from flows.dbt_templates import TEMPLATES_FILE
from flows.progress import dbt_line_progress

REPO_ROOT = Path(__file__).resolve().parent.parent
PASSING = {"success", "pass"}


class DbtBuildFailed(RuntimeError):
    """`dbt build` did not succeed; the message names the failed nodes (or dbt's own error)."""

    def __init__(self, result: DbtBuild):
        self.result = result
        failed = result.failed_nodes
        if failed:
            names = "; ".join(f"{node.unique_id} {node.status}: {node.message}" for node in failed[:8])
            more = f" (+{len(failed) - 8} more)" if len(failed) > 8 else ""
            detail = f"{len(failed)} node(s) failed: {names}{more}"
        else:
            detail = f"exit status {result.returncode}: {result.log_tail or 'no output'}"
        super().__init__(f"dbt build failed, {detail}")


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One node of target/run_results.json."""

    unique_id: str
    status: str
    message: str
    failures: int | None
    seconds: float

    @property
    def name(self) -> str:
        """`not_null_dim_unit_unit_key` of `test.perfbudget.not_null_dim_unit_unit_key.1a2b3c`."""
        parts = self.unique_id.split(".")
        return parts[2] if len(parts) > 2 else self.unique_id

    @property
    def resource_type(self) -> str:
        return self.unique_id.split(".", 1)[0]

    @property
    def passed(self) -> bool:
        return self.status in PASSING


@dataclass(slots=True)
class DbtBuild:
    database: Path
    returncode: int
    seconds: float
    nodes: list[NodeResult] = field(default_factory=list)
    log_tail: str = ""

    @property
    def failed_nodes(self) -> list[NodeResult]:
        return [node for node in self.nodes if node.status in {"error", "fail"}]

    @property
    def tests(self) -> list[NodeResult]:
        return [node for node in self.nodes if node.resource_type == "test"]

    @property
    def success(self) -> bool:
        return self.returncode == 0 and not self.failed_nodes


def read_run_results(path: Path) -> list[NodeResult]:
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return []
    nodes = []
    for item in payload.get("results", []):
        message = " ".join(line.strip() for line in (item.get("message") or "").splitlines() if line.strip())
        nodes.append(NodeResult(item["unique_id"], item.get("status") or "", message[:400],
                                item.get("failures"), float(item.get("execution_time") or 0.0)))
    return nodes


LAUNCH_SCRIPT = Path(__file__).with_name("dbt_launch.py")
# the tests of macros on constants (tests_dbt, enabled by var macro_unit_tests) check no data:
# `make test` runs them (tests/warehouse/test_report_numbers_oracle.py), a night does not pay for them
NIGHTLY_VARS = ["--vars", json.dumps({"macro_unit_tests": False})]
# An incremental build starts from a copy of the published warehouse, made by the same project
# (flows.delta: same models, seeds and macros, or the build is full): the seeds, the models
# built from seeds alone and their tests would come out as they are in the copy. Only what the
# documents feed (the sources and everything downstream) is built, unless the caller selects.
FROM_DOCUMENTS_ONLY = ["--select", "source:perfbudget+"]
# dbt's file log (<work>/logs/dbt.log) at info: every node's start, status and error. At dbt's
# default, debug, it also writes each SQL statement and connection event, which cost ~5 % of a
# sample build's time (median of five pairs); the SQL each node ran stays in target/run/.
# PERFBUDGET_DBT_ARGS="--log-level-file debug" brings them back.
FILE_LOG = ["--log-level-file", "info"]
SELECTION_ARGS = {"--select", "-s", "--selector", "--models", "-m"}
# A lean build (the full build of a large inbox, flows/gates.py `lean_night`) keeps the night's
# process tree under 1 GB at 100 000 forms: one dbt thread, so that one model's query holds
# memory at a time; DuckDB's memory_limit at 450MB (profiles/profiles.yml), beyond which it
# spills to disk; preserve_insertion_order false, so that large tables can spill too; and
# DuckDB's allocator handing freed memory back to the system after any task that allocated 16MB
# (allocator_flush_threshold, DuckDB's default 128MB) and in a background thread. DuckDB's
# process still takes more than its limit (dbt's Python ~170 MB, and allocations outside DuckDB's
# buffer pool): at 1GB and two threads dbt's process peaked at 1.34 GB; at 450MB and one thread
# at 0.83-0.98 GB from run to run, which left the tree over 1 GB (1.05 GB in the bench of
# 2026-12-02 17:18); with the allocator settings too, 0.82 GB (the same dbt build alone: 0.98
# GB without them; 0.80 GB at 400MB). At 400MB and two threads fact_indicator ran out of memory.
# The caller's own --threads or PERFBUDGET_DUCKDB_* settings win.
LEAN_ARGS = ["--threads", "1"]
LEAN_SETTINGS = {"PERFBUDGET_DUCKDB_MEMORY_LIMIT": "450MB", "PERFBUDGET_DUCKDB_PRESERVE_INSERTION_ORDER": "false",
                 "PERFBUDGET_DUCKDB_ALLOCATOR_FLUSH_THRESHOLD": "16MB",
                 "PERFBUDGET_DUCKDB_ALLOCATOR_BACKGROUND_THREADS": "true"}
# A lean build's dbt launch keeps CPython's garbage collection and dbt's events as they are
# (flows/dbt_launch.py points 4 and 5), memory a lean build has not to spare: fewer collections
# saved ~10 % of a small build's dbt time and nothing measurable of a large one's, and raised
# dbt's largest RSS by 11-19 MB in the full night at 10 000 forms. With dbt's events dropped and
# DuckDB's settings given as config_options (since put back, profiles/profiles.yml) that night's
# largest process took 741 and 754 MB against 703 and 718 MB before; with the events kept, 739 MB
# (benches of 2026-12-03). Which change it was is not settled; the lean build keeps every event.
LEAN_LAUNCH = {FEWER_COLLECTIONS: "false", DROP_UNLOGGED_EVENTS: "false"}
# A build that leaves DuckDB's vacuum out (`vacuum=False`): its checkpoint writes what changed and
# merges no under-filled row groups (profiles/profiles.yml, PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS;
# flows/load.py `vacuums` says which nights). The caller's own setting wins.
NO_VACUUM_SETTINGS = {"PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS": "0"}
PARTIAL_PARSE = "partial_parse.msgpack"
# set for a dbt process started ahead of its build: it loads dbt, then waits for "go" on stdin
WAIT_FOR_GO = "PERFBUDGET_DBT_WAIT_FOR_GO"


def dbt_command(tied_to: int = 0) -> list[str]:
    """dbt, started by flows/dbt_launch.py: SIGKILLed when process `tied_to` dies (Linux; 0 for
    none), and able to reuse a parse made for a DuckDB file of the same name in another folder."""
    return [sys.executable, str(LAUNCH_SCRIPT), str(tied_to)]


def kept_parse(extra_args: list[str], database: Path) -> Path | None:
    """The file in $PERFBUDGET_DBT_PARSE_CACHE (a folder where builds in new folders share dbt's
    parse; the test suite sets it) that keeps the parse of these dbt arguments, or None when it
    is not set. dbt parses anew when `--vars` or the database's file name differ, so each pair
    has its own file (the selection does not count). A warehouse's own folder keeps its parse
    from night to night without it."""
    folder = os.environ.get("PERFBUDGET_DBT_PARSE_CACHE")
    if not folder:
        return None
    vars_given = [arg for index, arg in enumerate(extra_args)
                  if arg.startswith("--vars=") or (index and extra_args[index - 1] == "--vars")]
    key = hashlib.sha256(repr((vars_given, database.name)).encode()).hexdigest()[:16]
    return Path(folder) / f"parse-{key}.msgpack"


def _kept_files(target_path: Path, kept: Path) -> list[tuple[Path, Path]]:
    """(the target folder's file, its kept copy): dbt's parse, and the Jinja templates the launch
    compiled (flows/dbt_templates.py)."""
    return [(target_path / PARTIAL_PARSE, kept), (target_path / TEMPLATES_FILE, kept.with_suffix(".templates"))]


def _copy_missing(pairs: list[tuple[Path, Path]]) -> None:
    """Copy each (own, source) pair's source to `own` where the source exists and `own` does not."""
    for own, source in pairs:
        if source.exists() and not own.exists():
            own.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, own)


def reuse_parse(target_path: Path, kept: Path | None) -> None:
    """Start a target folder that has no parse of its own from the kept one (dbt still checks
    it, file by file, and parses afresh whatever differs), and its compiled templates."""
    if kept is not None:
        _copy_missing(_kept_files(target_path, kept))


def reuse_parse_of(target_path: Path, other_target: Path) -> None:
    """Start a new target folder from another build's target folder: its parse and compiled templates."""
    _copy_missing([(target_path / name, other_target / name) for name in (PARTIAL_PARSE, TEMPLATES_FILE)])


def keep_parse(target_path: Path, kept: Path | None) -> None:
    """Keep the target folder's parse and compiled templates for the next new folder (each
    written whole, then renamed in)."""
    if kept is None:
        return
    for own, copy in _kept_files(target_path, kept):
        if own.exists():
            copy.parent.mkdir(parents=True, exist_ok=True)
            partial = copy.with_name(f"{copy.name}.{os.getpid()}.part")
            shutil.copyfile(own, partial)
            os.replace(partial, copy)


@dataclass
class _Invocation:
    """One `dbt build`: its command line, environment and the files it reads and keeps."""

    command: list[str]
    env: dict[str, str]
    target_path: Path
    kept: Path | None


def _invocation(database: Path, staging_dir: Path, work_dir: Path, project_dir: Path,
                extra_args: list[str] | None, start_from: Path | None, lean: bool = False,
                vacuum: bool = True) -> _Invocation:
    if extra_args is None:
        extra_args = shlex.split(os.environ.get("PERFBUDGET_DBT_ARGS", ""))
    if lean and not any(arg.split("=", 1)[0] == LEAN_ARGS[0] for arg in extra_args):
        extra_args = [*extra_args, *LEAN_ARGS]
    if not any(arg.startswith("--vars") for arg in extra_args):
        extra_args = [*extra_args, *NIGHTLY_VARS]
    if not any(arg.split("=", 1)[0] == FILE_LOG[0] for arg in extra_args):
        extra_args = [*extra_args, *FILE_LOG]
    if start_from is not None and not any(arg.split("=", 1)[0] in SELECTION_ARGS for arg in extra_args):
        extra_args = [*extra_args, *FROM_DOCUMENTS_ONLY]
    target_path = work_dir / "target"
    env = {**os.environ,
           "DO_NOT_TRACK": "1",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_USE_COLORS": "false",
           "DBT_PROFILES_DIR": str(project_dir / "profiles"),
           "PERFBUDGET_DUCKDB_PATH": str(database),
           "PERFBUDGET_STAGING_DIR": str(staging_dir)}
    if lean:
        env = {**LEAN_SETTINGS, **LEAN_LAUNCH, **env}
    if not vacuum:
        env = {**NO_VACUUM_SETTINGS, **env}
    command = [*dbt_command(tied_to=os.getpid()), "build", "--project-dir", str(project_dir),
               "--profiles-dir", str(project_dir / "profiles"),
               "--target-path", str(target_path), "--log-path", str(work_dir / "logs"),
               *extra_args]
    return _Invocation(command, env, target_path, kept_parse(extra_args, database))


def _spawn(invocation: _Invocation, project_dir: Path, wait_for_go: bool = False) -> subprocess.Popen:
    env = {**invocation.env, WAIT_FOR_GO: "1"} if wait_for_go else invocation.env
    return subprocess.Popen(invocation.command, cwd=project_dir, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True,
                            stdin=subprocess.PIPE if wait_for_go else None)


# dbt processes started ahead of their build (prestart_dbt_build), by the build's DuckDB file
_PRESTARTED: dict[Path, tuple[_Invocation, subprocess.Popen]] = {}


def prestart_dbt_build(database: Path, staging_dir: Path, work_dir: Path, project_dir: Path = REPO_ROOT,
                       extra_args: list[str] | None = None, start_from: Path | None = None,
                       vacuum: bool = True) -> None:
    """Start the dbt process of the coming `dbt_build` with these arguments now, to wait (its
    Python, dbt's imports and its adapter loaded: ~4 s of a build's start) until that build
    sends it on. The nightly load starts it for an incremental build while the staging gate
    runs: the start overlaps the gate. The build uses it only if its command and dbt's
    environment are still the same; a load that ends otherwise stops it (`discard_prestarted`).
    It touches no file before it is sent on."""
    discard_prestarted(database)
    invocation = _invocation(database, staging_dir, work_dir, project_dir, extra_args, start_from, vacuum=vacuum)
    _PRESTARTED[database] = (invocation, _spawn(invocation, project_dir, wait_for_go=True))


def discard_prestarted(database: Path | None = None) -> None:
    """Stop the dbt processes started ahead for `database` (every one when None) and never sent on."""
    for key in [key for key in _PRESTARTED if database is None or key == database]:
        _, process = _PRESTARTED.pop(key)
        stop_process_group(process, grace=1.0)


# what of a build's environment dbt and the project read: dbt's settings, the profile's variables
# (profiles/profiles.yml) and Python's; a library of the load (Great Expectations) may set others
DBT_ENV_PREFIXES = ("DBT_", "PERFBUDGET_", "PYTHON", "DO_NOT_TRACK", "PATH", "HOME", "TMPDIR")


def _dbt_env(env: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in env.items() if key.startswith(DBT_ENV_PREFIXES)}


def _take_prestarted(database: Path, invocation: _Invocation) -> subprocess.Popen | None:
    """The dbt process started ahead for exactly this invocation and still waiting, sent on; else None."""
    prestarted = _PRESTARTED.pop(database, None)
    if prestarted is None:
        return None
    earlier, process = prestarted
    if (earlier.command, _dbt_env(earlier.env)) != (invocation.command, _dbt_env(invocation.env)) \
            or process.poll() is not None:
        stop_process_group(process, grace=1.0)
        return None
    try:
        process.stdin.write("go\n")
        process.stdin.close()
    except OSError:  # it died between the poll and the write
        stop_process_group(process, grace=1.0)
        return None
    return process


def dbt_build(database: Path, staging_dir: Path, work_dir: Path, project_dir: Path = REPO_ROOT,
              timeout: float | None = 3600, extra_args: list[str] | None = None,
              start_from: Path | None = None, copied: bool = False, lean: bool = False,
              vacuum: bool = True) -> DbtBuild:
    """Build every model, seed and test into `database`: a fresh file (any old one is
    removed first), or a copy of `start_from` (the published warehouse) for an incremental
    build, whose document-keyed models then replace only the changed documents' rows
    (flows.delta), and which builds only what the documents feed (FROM_DOCUMENTS_ONLY).
    Returns the build with its node results; does not raise on failure. A dbt process started
    ahead for the same build (prestart_dbt_build) is sent on instead of starting one.

    `extra_args` default to $PERFBUDGET_DBT_ARGS (shell words), e.g. `--exclude
    resource_type:test` for a quick development loop; the nightly default is everything but
    the tests of macros on constants (var `macro_unit_tests`). `lean`: the build's memory comes
    before its speed (LEAN_ARGS). `vacuum` False: DuckDB's checkpoint merges no row groups
    (NO_VACUUM_SETTINGS)."""
    invocation = _invocation(database, staging_dir, work_dir, project_dir, extra_args, start_from, lean, vacuum)
    database.parent.mkdir(parents=True, exist_ok=True)
    if not (copied and database.exists()):  # a copy that went missing is made again
        for stale in (database, database.with_name(database.name + ".wal")):
            stale.unlink(missing_ok=True)
        if start_from is not None:
            shutil.copyfile(start_from, database)
    target_path, kept = invocation.target_path, invocation.kept
    run_results = target_path / "run_results.json"
    run_results.unlink(missing_ok=True)
    reuse_parse(target_path, kept)
    started = time.perf_counter()
    process = _take_prestarted(database, invocation) or _spawn(invocation, project_dir)
    lines: list[str] = []
    reader = threading.Thread(target=_read_output, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        returncode = process.wait(timeout=timeout)
        reader.join(timeout=10)
        output = "".join(lines)
    except subprocess.TimeoutExpired:
        _stop_and_drain(process, reader)
        returncode, output = -1, f"timed out after {timeout} s: {''.join(lines)}"
    except BaseException:  # a stop signal (LoadInterrupted) or Ctrl-C: dbt's group goes too
        _stop_and_drain(process, reader)
        raise
    seconds = time.perf_counter() - started
    keep_parse(target_path, kept)
    tail = " | ".join(line.strip() for line in output.strip().splitlines()[-6:] if line.strip())
    return DbtBuild(database, returncode, seconds, read_run_results(run_results), tail[-1500:])


def _stop_and_drain(process: subprocess.Popen, reader: threading.Thread) -> None:
    """Stop dbt's group, let the reader take the output that is left (the group gone, the output
    ends), then close the pipes: closed first, they were closed under the reader."""
    stop_process_group(process, close_pipes=False)
    reader.join(timeout=10)
    stop_process_group(process)  # the group is gone: this reaps nothing more and closes the pipes


def _read_output(stream, lines: list[str]) -> None:
    """Collect dbt's output as it comes, reporting finished nodes (`dbt 180/406 nodes`). The pipe
    may be closed under it when the load stops dbt and a process that left dbt's group still
    holds the pipe's other end: the output ends there, without a traceback on the night's stderr."""
    progress = None
    with contextlib.suppress(ValueError, OSError):  # ValueError: I/O operation on closed file
        for line in stream:
            lines.append(line)
            progress = dbt_line_progress(line, progress)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is gone already
        os.killpg(process.pid, signum)  # the group's id is dbt's pid: it leads its own session


def stop_process_group(process: subprocess.Popen, grace: float = 5.0, close_pipes: bool = True) -> None:
    """Terminate the process's whole group, kill what is left after `grace` seconds, reap
    the process (and close its pipes)."""
    try:
        _signal_group(process, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    finally:
        _signal_group(process, signal.SIGKILL)  # the leader's children too, if it left any
        process.wait()
        if close_pipes:
            for stream in (process.stdin, process.stdout, process.stderr):
                if stream is not None:
                    stream.close()


def require_success(build: DbtBuild) -> DbtBuild:
    if not build.success:
        raise DbtBuildFailed(build)
    return build
