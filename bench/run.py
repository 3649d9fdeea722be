"""The scale benchmark: extraction, its floors, dbt against the same SQL run directly, and the
nightly load end to end, on synthetic corpora of N forms.

    .venv/bin/python bench/run.py                       # N = 1 000, 10 000, 100 000
    .venv/bin/python bench/run.py --sizes 1000,10000 --work /tmp/perfbudget-bench

For each N it writes (or reuses) a corpus with bench/make_corpus.py under --work (never in the
repository), then runs every step in its own subprocess and records its wall seconds, the CPU
seconds of the step's process tree, the largest RSS of any one process of the tree
(`os.wait4` rusage: the step and every child it waited for, dbt included) and the peak of the
tree's summed RSS (psutil, sampled every 0.25 s: the parallel steps run several processes):

| step | what it measures |
|---|---|
| read_bytes | floor: reading the inbox's raw bytes in Python |
| extract_1 | `run_extraction` in one process (in-process batches): forms/s, MB/s |
| extract_all | `run_extraction` on a process pool of all cores |
| extract_dask | the flow's extract step on a local Dask cluster (one worker process per core, |
|  | through prefect-dask, as with `--dask-address`); cluster and Prefect server start untimed |
| duckdb_read_csv | floor: DuckDB `read_csv` of the six staging CSVs into tables |
| sql_floor | floor: the models' compiled SQL (`dbt compile` → target/manifest.json) run directly |
|  | in DuckDB in dependency order as the same materializations, under the profile's DuckDB |
|  | settings (memory_limit, checkpoint_threshold); seeds loaded with `read_csv` |
| dbt_models | `dbt build --exclude resource_type:test` (seeds + models, as the floor) |
| dbt_build | `dbt build` (seeds, models and every dbt test) |
| nightly_full | `perfbudget run --direct` on a new warehouse (extract, gates, build, publish) |
| nightly_unchanged | the same again, nothing changed (skips build and publish) |
| nightly_unchanged_prefect | `perfbudget run` (Prefect flow, temporary server) — nothing changed |
| nightly_unchanged_prefect_server | `perfbudget run` against a running `prefect server` — nothing changed |
| nightly_1pct | 1 % of the files changed, `perfbudget run --direct` (an incremental build on the |
|  | published warehouse: flows/delta.py) |

The nightly steps also record the run's own summary: `build` (full or incremental) and the
seconds of each of its steps. `--skip extract_1,extract_dask` leaves steps out (the long
single-process extraction at 100 000 forms, say); `--no-prefect` skips the Prefect runs.

Prints a table and writes bench/results.json (--results).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

RESULTS_FILE = Path(__file__).resolve().parent / "results.json"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
MB = 1_000_000
from extract.records import STAGING_TABLES  # noqa: E402 - after the path insert above

TABLES = tuple(STAGING_TABLES)


# --- the parent: corpora, measured subprocesses, the table -------------------------------

def measured(command: list[str], env: dict | None = None) -> dict:
    """Run `command`; wall seconds, CPU seconds and peak RSS of its process tree, and the
    JSON object it printed last (the steps of this file print one)."""
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env or os.environ.copy(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    peak = [0]
    # the sampler must not reap the process (Popen.poll does): os.wait4 below reaps it, for its
    # rusage, and a short step reaped by a poll first left wait4 with no child (ChildProcessError)
    exited = threading.Event()

    def sample() -> None:
        try:
            root = psutil.Process(process.pid)
        except psutil.NoSuchProcess:
            return
        while not exited.is_set():
            total = 0
            try:
                for member in [root, *root.children(recursive=True)]:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        total += member.memory_info().rss
            except psutil.NoSuchProcess:
                return
            peak[0] = max(peak[0], total)
            time.sleep(0.25)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output: list[str] = []
    errors: list[str] = []
    readers = [threading.Thread(target=lambda: output.append(process.stdout.read()), daemon=True),
               threading.Thread(target=lambda: errors.append(process.stderr.read()), daemon=True)]
    for reader in readers:
        reader.start()
    _, status, usage = os.wait4(process.pid, 0)
    exited.set()
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    for reader in readers:
        reader.join()
    sampler.join(1)
    stdout = "".join(output)
    figures: dict = {}
    for line in reversed(stdout.splitlines()):
        if line.startswith("{"):
            figures = json.loads(line)
            break
    figures.update(run_summary_figures(stdout))
    result = {"seconds": round(seconds, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
              "max_process_rss_mb": round(usage.ru_maxrss / 1024, 1),
              "peak_tree_rss_mb": round(peak[0] / 2**20, 1), "returncode": process.returncode, **figures}
    if process.returncode != 0:
        result["error"] = ("".join(errors) or stdout)[-2000:]
    return result


def run_summary_figures(stdout: str) -> dict:
    """From a `perfbudget run` summary: its build mode and the seconds of each of its steps."""
    figures: dict = {}
    for line in stdout.splitlines():
        label, _, value = line.partition("  ")
        value = value.strip()
        if label == "build":
            figures["build"] = value
        elif label == "step seconds" and value:
            figures["run_steps"] = {name: float(seconds) for name, seconds in
                                    (item.rsplit(" ", 1) for item in value.split(", "))}
    return figures


def step_command(step: str, site: Path, *extra: str) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--step", step, "--site", str(site), *extra]


def ensure_corpus(n_forms: int, work: Path, seed: int) -> tuple[Path, dict]:
    """work/N/corpus (generated once per N and seed) and work/N/inbox, its documents hard-linked
    (the counts file is not a document)."""
    site = work / str(n_forms)
    corpus = site / "corpus"
    counts_file = corpus / "corpus_counts.json"
    counts = json.loads(counts_file.read_text(encoding="utf-8")) if counts_file.exists() else None
    if counts is None or counts.get("seed", seed) != seed:
        shutil.rmtree(site, ignore_errors=True)
        subprocess.run([sys.executable, str(REPO_ROOT / "bench" / "make_corpus.py"), str(n_forms), str(corpus),
                        "--seed", str(seed)], check=True, cwd=REPO_ROOT, stdout=subprocess.DEVNULL)
        counts = json.loads(counts_file.read_text(encoding="utf-8"))
    inbox = site / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    for document in corpus.glob("*.txt"):
        os.link(document, inbox / document.name)
    return site, counts


def reset_load_site(site: Path) -> None:
    for name in ("warehouse", "staging", "quarantine", "prefect"):
        shutil.rmtree(site / name, ignore_errors=True)


def perfbudget_run(site: Path, *flags: str) -> list[str]:
    return [sys.executable, "-m", "flows.cli", "run", *flags, "--inbox", str(site / "inbox"),
            "--warehouse", str(site / "warehouse")]


def prefect_env(site: Path, api_url: str | None = None) -> dict:
    env = {**os.environ, "PREFECT_HOME": str(site / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
           "DO_NOT_TRACK": "1", "PREFECT_LOGGING_LEVEL": "WARNING",
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    env.pop("PREFECT_API_URL", None)
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def bench_size(n_forms: int, work: Path, seed: int, with_prefect: bool, log,
               skip: frozenset[str] = frozenset()) -> dict:
    site, counts = ensure_corpus(n_forms, work, seed)
    steps: dict[str, dict] = {}

    def run(name: str, command: list[str], env: dict | None = None) -> dict:
        if name in skip:
            steps[name] = {"not_run": "skipped (--skip)"}
            return {"returncode": 0}
        log(f"N={n_forms}: {name} …")
        steps[name] = figures = measured(command, env)
        log(f"N={n_forms}: {name} {figures['seconds']} s, peak tree RSS {figures['peak_tree_rss_mb']} MB"
            + (f" — FAILED: {figures.get('error', '')[-300:]}" if figures["returncode"] else ""))
        return figures

    run("read_bytes", step_command("read_bytes", site))
    run("extract_1", step_command("extract", site, "--workers", "1"))
    run("extract_all", step_command("extract", site, "--workers", str(os.cpu_count() or 1)))
    if with_prefect:
        run("extract_dask", step_command("extract_dask", site, "--workers", str(os.cpu_count() or 1)),
            prefect_env(site))
    run("duckdb_read_csv", step_command("read_csv", site))
    run("sql_floor", step_command("sql_floor", site))
    run("dbt_models", step_command("dbt", site, "--dbt-args", "--exclude resource_type:test"))
    run("dbt_build", step_command("dbt", site, "--dbt-args", ""))

    reset_load_site(site)
    env = prefect_env(site)
    if run("nightly_full", perfbudget_run(site, "--direct"), env)["returncode"]:
        # nothing was published: a re-run would build again, not measure "nothing changed"
        steps["nightly_unchanged"] = {"not_run": "nightly_full failed (see its error)"}
        return size_report(counts, steps)
    run("nightly_unchanged", perfbudget_run(site, "--direct"), env)
    if with_prefect:
        from flows.prefect_env import start_local_server, stop_server

        run("nightly_unchanged_prefect", perfbudget_run(site), env)
        os.environ["PREFECT_HOME"] = env["PREFECT_HOME"]
        server, api_url = start_local_server(log_file=site / "prefect-server.log")
        try:
            run("nightly_unchanged_prefect_server", perfbudget_run(site), prefect_env(site, api_url))
        finally:
            stop_server(server)
    changed = change_files(site / "inbox", 0.01)
    steps["nightly_1pct_files_changed"] = {"files": changed}
    run("nightly_1pct", perfbudget_run(site, "--direct"), env)
    return size_report(counts, steps)


def size_report(counts: dict, steps: dict) -> dict:
    return {"forms": counts["forms"], "files": counts["files"], "bytes": counts["bytes"],
            "mb": round(counts["bytes"] / MB, 2), "indicator_rows": counts["indicator_rows"],
            "budget_lines": counts["budget_lines"], "steps": steps, "derived": derive(counts, steps)}


def change_files(inbox: Path, share: float) -> int:
    """Change `share` of the files (every k-th, a line appended: new content, new doc ids)."""
    documents = sorted(inbox.glob("*.txt"))
    every = max(1, round(1 / share))
    chosen = documents[::every]
    for document in chosen:
        data = document.read_bytes()
        document.unlink()  # a hard link to the corpus: break it, do not edit the corpus
        document.write_bytes(data + "\n（基准测试修改）\n".encode())
    return len(chosen)


def derive(counts: dict, steps: dict) -> dict:
    megabytes = counts["bytes"] / MB
    derived = {}
    for name in ("read_bytes", "extract_1", "extract_all", "extract_dask"):
        step = steps.get(name, {})
        seconds = step.get("step_seconds")
        if seconds:
            derived[f"{name}_mb_per_s"] = round(megabytes / seconds, 2)
            derived[f"{name}_forms_per_s"] = round(counts["forms"] / seconds, 1)
    one, many = derived.get("extract_1_mb_per_s"), derived.get("extract_all_mb_per_s")
    if one and many:
        derived["extract_speedup_all_cores"] = round(many / one, 2)
    if one and derived.get("extract_dask_mb_per_s"):
        derived["extract_dask_speedup"] = round(derived["extract_dask_mb_per_s"] / one, 2)
    full = steps.get("nightly_full", {}).get("seconds")
    for name in ("nightly_1pct", "nightly_unchanged"):
        if full and steps.get(name, {}).get("seconds"):
            derived[f"{name}_to_full"] = round(steps[name]["seconds"] / full, 3)
    peaks = [step["peak_tree_rss_mb"] for name, step in steps.items()
             if name.startswith("nightly") and "peak_tree_rss_mb" in step]
    if peaks:
        derived["nightly_peak_tree_rss_mb"] = max(peaks)
    floor = steps.get("sql_floor", {}).get("step_seconds")
    if floor:
        for name in ("dbt_build", "dbt_models"):
            if steps.get(name, {}).get("seconds"):
                derived[f"{name}_to_sql_floor"] = round(steps[name]["seconds"] / floor, 2)
                if steps[name].get("dbt_seconds"):
                    derived[f"{name}_in_dbt_to_sql_floor"] = round(steps[name]["dbt_seconds"] / floor, 2)
    return derived


def print_table(report: dict) -> None:
    print(f"{'N':>7} {'step':34} {'wall s':>8} {'step s':>8} {'CPU s':>8} {'MB/s':>7} {'forms/s':>8} "
          f"{'max proc MB':>11} {'tree MB':>8}")
    for n_forms, size in report["sizes"].items():
        megabytes = size["mb"]
        for name, step in size["steps"].items():
            if "seconds" not in step:
                continue
            inner = step.get("step_seconds") or step.get("dbt_seconds")
            rate = f"{megabytes / inner:7.2f}" if inner and name.startswith(("read", "extract")) else f"{'':7}"
            forms = f"{size['forms'] / inner:8.0f}" if inner and name.startswith("extract") else f"{'':8}"
            print(f"{n_forms:>7} {name:34} {step['seconds']:8.2f} {inner or 0:8.2f} {step['cpu_seconds']:8.1f} "
                  f"{rate} {forms} {step['max_process_rss_mb']:11.0f} {step['peak_tree_rss_mb']:8.0f}"
                  + ("  FAILED" if step.get("returncode") else ""))
        for name, value in size["derived"].items():
            print(f"{n_forms:>7}   {name} = {value}")


# --- the steps, each run in its own subprocess ---------------------------------------------

def step_read_bytes(site: Path, args) -> dict:
    started = time.perf_counter()
    total = sum(len(path.read_bytes()) for path in sorted((site / "inbox").glob("*.txt")))
    return {"step_seconds": round(time.perf_counter() - started, 3), "bytes": total}


def step_extract(site: Path, args) -> dict:
    from flows.extraction import run_extraction
    from flows.pool import ProcessPool, in_process

    staging = site / "staging_bench"
    mapper = in_process if args.workers == 1 else ProcessPool(args.workers)
    summary = run_extraction(site / "inbox", staging, site / "quarantine_bench", mapper=mapper)
    return {"step_seconds": round(summary.seconds, 3), "forms": summary.forms, "files": summary.files,
            "bytes": summary.bytes_read, "errors": summary.errors, "workers": args.workers,
            "csv_mb": round(sum(p.stat().st_size for p in staging.glob("*.csv")) / MB, 1)}


def step_extract_dask(site: Path, args) -> dict:
    """The nightly flow's extract step with a Dask task runner: `extract_changed` maps the task
    `extract_batch` over ~DASK_BATCH_BYTES batches on a LocalCluster of `--workers` worker
    processes (one thread each), as `perfbudget run --dask-address` does on a real cluster.
    Starting the Prefect server and the cluster is not timed; the extraction is."""
    import distributed
    from prefect import flow
    from prefect.server.api.server import SubprocessASGIServer
    from prefect_dask import DaskTaskRunner

    from flows import nightly
    from flows.inbox import list_documents

    inbox, staging, quarantine = site / "inbox", site / "staging_dask", site / "quarantine_dask"
    for folder in (staging, quarantine):  # the extraction cache lives in staging/.incremental
        shutil.rmtree(folder, ignore_errors=True)

    @flow(name="bench_extract_on_dask")
    def extract_on_dask() -> tuple[float, int]:
        started = time.perf_counter()
        summary = nightly.run_as_task("extract_changed", list_documents(inbox), inbox, staging, quarantine)
        return time.perf_counter() - started, summary.extraction.forms

    server = SubprocessASGIServer()
    server.start(timeout=120)
    os.environ["PREFECT_API_URL"] = server.api_url  # the workers report their task runs to it
    try:
        with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            runner = DaskTaskRunner(address=cluster.scheduler_address)
            seconds, forms = extract_on_dask.with_options(task_runner=runner)()
    finally:
        server.stop()
    return {"step_seconds": round(seconds, 3), "forms": forms, "workers": args.workers,
            "batch_bytes": nightly.DASK_BATCH_BYTES}


def step_read_csv(site: Path, args) -> dict:
    import duckdb

    staging = site / "staging_bench"
    started = time.perf_counter()
    rows = {}
    with duckdb.connect() as connection:
        for table in TABLES:
            connection.execute(f"create table {table} as select * from read_csv('{staging / table}.csv', "
                               "header = true, delim = ',', quote = '\"', escape = '\"', all_varchar = true)")
            rows[table] = connection.execute(f"select count(*) from {table}").fetchone()[0]
    return {"step_seconds": round(time.perf_counter() - started, 3), "rows": rows}


def _dbt_env(database: Path, staging: Path) -> dict:
    return {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_PROFILES_DIR": str(REPO_ROOT / "profiles"), "PERFBUDGET_DUCKDB_PATH": str(database),
            "PERFBUDGET_STAGING_DIR": str(staging)}


def _topological(nodes: dict[str, dict]) -> list[str]:
    order, done = [], set()

    def visit(unique_id: str) -> None:
        if unique_id in done or unique_id not in nodes:
            return
        done.add(unique_id)
        for parent in nodes[unique_id].get("depends_on", {}).get("nodes", []):
            visit(parent)
        order.append(unique_id)

    for unique_id in sorted(nodes):
        visit(unique_id)
    return order


def profile_settings() -> dict[str, str]:
    """The DuckDB settings dbt's build runs with (profiles/profiles.yml `config_options` and
    `settings`, its env_var defaults rendered as dbt renders them): the floor runs the same SQL
    under the same settings (storage version, memory_limit, checkpoint_threshold)."""
    import jinja2
    import yaml

    profile = yaml.safe_load((REPO_ROOT / "profiles" / "profiles.yml").read_text(encoding="utf-8"))
    output = profile["perfbudget"]["outputs"]["dev"]
    settings = {**(output.get("config_options") or {}), **(output.get("settings") or {})}
    environment = jinja2.Environment()
    environment.globals["env_var"] = lambda name, default=None: os.environ.get(name, default)
    return {name: environment.from_string(str(value)).render() for name, value in settings.items()}


def step_sql_floor(site: Path, args) -> dict:
    """The models' compiled SQL, run directly in DuckDB: the floor under `dbt build`."""
    import duckdb

    floor = site / "sql_floor"
    shutil.rmtree(floor, ignore_errors=True)
    floor.mkdir(parents=True)
    database = floor / "floor.duckdb"
    target = floor / "target"
    compile_started = time.perf_counter()
    from flows.build import dbt_command

    subprocess.run([*dbt_command(), "compile", "--project-dir", str(REPO_ROOT), "--target-path", str(target),
                    "--log-path", str(floor / "logs"), "--quiet"],
                   cwd=REPO_ROOT, env=_dbt_env(database, site / "staging_bench"), check=True,
                   stdout=subprocess.DEVNULL)
    compile_seconds = time.perf_counter() - compile_started
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    nodes = {uid: node for uid, node in manifest["nodes"].items() if node["resource_type"] in {"model", "seed"}}
    started = time.perf_counter()
    created = {"seed": 0, "table": 0, "view": 0}
    from flows.dbt_staging_dir import VARIABLE

    with duckdb.connect(str(database), config=profile_settings()) as connection:
        # the sources read the staging folder from this variable, as the profile's plugin sets it
        connection.execute(f"set variable {VARIABLE} = ?", [str(site / "staging_bench")])
        for unique_id in _topological(nodes):
            node = nodes[unique_id]
            config = node["config"]
            relation = f'"{node["schema"]}"."{node["alias"]}"'
            connection.execute(f'create schema if not exists "{node["schema"]}"')
            if node["resource_type"] == "seed":
                path = REPO_ROOT / node["original_file_path"]
                types = {name: kind for name, kind in (config.get("column_types") or {}).items()}
                option = f", types = {json.dumps(types)}" if types else ""
                connection.execute(f"create table {relation} as select * from read_csv('{path}', header = true"
                                   f"{option})")
                created["seed"] += 1
                continue
            materialized = config.get("materialized")
            if materialized == "ephemeral":
                continue  # inlined into its children's compiled SQL
            kind = "view" if materialized == "view" else "table"
            connection.execute(f"create {kind} {relation} as {node['compiled_code']}")
            created[kind] += 1
    return {"step_seconds": round(time.perf_counter() - started, 3), "compile_seconds": round(compile_seconds, 2),
            "created": created}


def step_dbt(site: Path, args) -> dict:
    import shlex

    from flows.build import dbt_build

    work = site / "dbt_bench"
    build = dbt_build(work / "bench.duckdb", site / "staging_bench", work, extra_args=shlex.split(args.dbt_args))
    kinds: dict[str, int] = {}
    for node in build.nodes:
        kinds[node.resource_type] = kinds.get(node.resource_type, 0) + 1
    return {"dbt_seconds": round(build.seconds, 3), "success": build.success, "nodes": kinds,
            "failed": [node.unique_id for node in build.failed_nodes][:10], "dbt_args": args.dbt_args}


STEPS = {"read_bytes": step_read_bytes, "extract": step_extract, "extract_dask": step_extract_dask,
         "read_csv": step_read_csv,
         "sql_floor": step_sql_floor, "dbt": step_dbt}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES),
                        help="comma-separated numbers of forms (default 1000,10000,100000)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/perfbudget-bench"),
                        help="where corpora, staging and warehouses go (never the repository)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", type=Path, default=RESULTS_FILE)
    parser.add_argument("--no-prefect", action="store_true", help="skip the two Prefect flow runs")
    parser.add_argument("--skip", default="", help="comma-separated steps to leave out, e.g. extract_1,extract_dask")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--site", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--dbt-args", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.step:
        print(json.dumps(STEPS[args.step](args.site, args), ensure_ascii=False))
        return 0

    work = args.work.resolve()
    if work.is_relative_to(REPO_ROOT):
        parser.error("--work must be outside the repository")
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]

    def log(message: str) -> None:
        print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)

    load_before = os.getloadavg()
    report = {"measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(), "load_average_before": load_before},
              "seed": args.seed, "sizes": {}}
    for n_forms in sizes:
        skip = frozenset(name.strip() for name in args.skip.split(",") if name.strip())
        report["sizes"][str(n_forms)] = bench_size(n_forms, work, args.seed, not args.no_prefect, log, skip)
        args.results.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report["machine"]["load_average_after"] = os.getloadavg()
    args.results.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print_table(report)
    print(f"results written to {args.results}")
    failed = [f"{n}:{name}" for n, size in report["sizes"].items() for name, step in size["steps"].items()
              if step.get("returncode")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
