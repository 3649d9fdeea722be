"""`perfbudget` command line: extract an inbox into staging CSVs (`extract`); run the nightly
load once (`run`) or on its schedule (`serve`).

`extract` lists, extracts, quarantines and lands an inbox in one go (flows.extraction); exit
status 2 when the inbox itself cannot be read.

`run` runs the nightly load once. With no Prefect server configured (PREFECT_API_URL unset) it
calls the load's steps directly: a temporary orchestrator server would cost 30–50 s for a night
that may take one second; with PREFECT_API_URL set, or `--prefect`, it runs as the Prefect flow
`nightly_load` (same steps, same checks, same publish). `serve` registers the flow as a cron
deployment (02:00 Asia/Shanghai by default) and runs it on schedule through Prefect; it needs
`--inbox` (a schedule on the bundled samples would be a mistake) and, with no PREFECT_API_URL,
starts a local `prefect server` first (schedules need a real server). Prefect's home defaults to
`<warehouse>/../.prefect` (data/.prefect), analytics are off.

`rollback` publishes a kept build again (the one published before the newest by default),
`builds` lists the kept builds, newest first; `docs` generates the dbt docs site of the
published warehouse into `<warehouse>/docs/` and serves it (flows/docs.py); `--version` prints
the package and extractor versions.

SIGTERM and SIGINT stop `run` cleanly: the signal is raised in the load as `LoadInterrupted`,
so dbt's process group and the extraction workers are stopped, the run is logged as `failed`
with the step it was in, the unpublished build is removed, and the command prints one line
and exits 128 + the signal number (143 for SIGTERM, 130 for SIGINT).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from flows.extraction import run_extraction
from flows.inbox import InboxError

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_DEPLOYMENT = "nightly"


class HELP(argparse.ArgumentDefaultsHelpFormatter):
    """`--help` shows each option's default, unless its help already says it or there is none."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if "default" in text or action.default in (None, False, "", argparse.SUPPRESS):
            return text
        return super()._get_help_string(action)


def version_text() -> str:
    """`perfbudget 0.1.0 (extractor 0.1.0+1a2b3c4d5e6f)`: the package release and the hash of the
    extractor's code and seeds (extract/version.py), which decides what is re-extracted."""
    from importlib.metadata import PackageNotFoundError, version

    from extract import EXTRACTOR_VERSION

    try:
        release = version("perfbudget")
    except PackageNotFoundError:
        release = "unknown"
    return f"perfbudget {release} (extractor {EXTRACTOR_VERSION})"


class _VersionAction(argparse.Action):
    """--version, computed only when asked (the extractor hash reads its files)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest, nargs=0, default=default, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text())
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfbudget", description=__doc__.split("\n\n")[0],
                                     formatter_class=HELP)
    parser.add_argument("--version", action=_VersionAction, help="print the package and extractor versions")
    verbs = parser.add_subparsers(dest="verb", required=True)
    extract = verbs.add_parser("extract", help="extract an inbox of documents into staging CSVs", formatter_class=HELP)
    extract.add_argument("--inbox", required=True, help="folder of published documents")
    extract.add_argument("--out", required=True, help="folder for the staging CSVs")
    extract.add_argument("--quarantine", help="folder for bad documents (default: OUT/../quarantine)")
    extract.set_defaults(run=_cmd_extract)
    add_nightly_verbs(verbs)
    add_publish_verbs(verbs)
    return parser


def add_publish_verbs(verbs: argparse._SubParsersAction) -> None:
    """`rollback` and `builds`: the kept builds of a warehouse (flows/publish.py)."""
    rollback = verbs.add_parser("rollback", formatter_class=HELP,
                                help="publish a kept build again (default: the one published before the newest)")
    rollback.add_argument("--warehouse", default="data/warehouse", help="warehouse folder")
    rollback.add_argument("--run-id", help="the run whose kept build to publish (see `perfbudget builds`)")
    rollback.set_defaults(run=_cmd_rollback)
    builds = verbs.add_parser("builds", help="list the kept builds, published last first", formatter_class=HELP)
    builds.add_argument("--warehouse", default="data/warehouse", help="warehouse folder")
    builds.set_defaults(run=_cmd_builds)
    docs = verbs.add_parser("docs", formatter_class=HELP,
                            help="generate the dbt docs site of the published warehouse and serve it")
    docs.add_argument("--warehouse", default="data/warehouse",
                      help="warehouse folder (the site goes to WAREHOUSE/docs)")
    docs.add_argument("--port", type=int, default=8080, help="port to serve the site on, on 127.0.0.1")
    docs.add_argument("--no-serve", action="store_true", help="generate the site only")
    docs.set_defaults(run=_cmd_docs)


def _cmd_docs(args: argparse.Namespace) -> int:
    from flows.docs import DocsFailed, docs_server, generate_docs
    from flows.layout import WarehouseLayout

    try:
        folder = generate_docs(WarehouseLayout.at(args.warehouse))
    except DocsFailed as err:
        print(f"perfbudget docs: {err}", file=sys.stderr)
        return 1
    print(f"docs of the published warehouse: {folder} (static_index.html opens without a server)")
    if args.no_serve:
        return 0
    server = docs_server(folder, args.port)
    print(f"serving on http://127.0.0.1:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


def _cmd_rollback(args: argparse.Namespace) -> int:
    from flows.layout import WarehouseLayout
    from flows.publish import rollback

    layout = WarehouseLayout.at(args.warehouse)
    try:
        chosen = rollback(layout, args.run_id)
    except FileNotFoundError as err:
        print(f"perfbudget rollback: {err}", file=sys.stderr)
        return 2
    print(f"published {chosen.name} as {layout.published}")
    return 0


def _cmd_builds(args: argparse.Namespace) -> int:
    from flows.layout import WarehouseLayout
    from flows.publish import kept_builds

    for build in kept_builds(WarehouseLayout.at(args.warehouse)):
        print(build.stem)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


def _cmd_extract(args: argparse.Namespace) -> int:
    try:
        summary = run_extraction(Path(args.inbox), Path(args.out),
                                 Path(args.quarantine) if args.quarantine else None)
    except InboxError as err:
        print(f"perfbudget extract: {err}", file=sys.stderr)
        return 2
    print(f"extracted {args.inbox} → {args.out}")
    for line in summary.lines(Path(args.out)):
        print(f"  {line}")
    return 0


def add_nightly_verbs(verbs: argparse._SubParsersAction) -> None:
    """The `run` and `serve` verbs (Prefect is imported only when one of them runs)."""
    run = verbs.add_parser("run", help="run the nightly load once (no Prefect server needed)", formatter_class=HELP)
    _common(run)
    run.add_argument("--inbox", default="data/samples", help="folder of published documents")
    how = run.add_mutually_exclusive_group()
    how.add_argument("--prefect", action="store_true",
                     help="run as the Prefect flow even with no PREFECT_API_URL (starts a temporary server)")
    how.add_argument("--direct", action="store_true",
                     help="call the load's steps directly even when PREFECT_API_URL is set")
    run.set_defaults(run=cmd_run)

    serve = verbs.add_parser("serve", help="serve nightly_load on its cron schedule", formatter_class=HELP)
    _common(serve)
    serve.add_argument("--inbox", required=True, help="folder of published documents the schedule loads")
    serve.add_argument("--cron", default=os.environ.get("PERFBUDGET_CRON", DEFAULT_CRON),
                       help=f"cron schedule (env PERFBUDGET_CRON, default '{DEFAULT_CRON}')")
    serve.add_argument("--timezone", default=os.environ.get("PERFBUDGET_TIMEZONE", DEFAULT_TIMEZONE),
                       help=f"IANA timezone of the schedule (env PERFBUDGET_TIMEZONE, default {DEFAULT_TIMEZONE})")
    serve.add_argument("--name", default=os.environ.get("PERFBUDGET_DEPLOYMENT", DEFAULT_DEPLOYMENT),
                       help=f"deployment name (default {DEFAULT_DEPLOYMENT})")
    serve.add_argument("--port", type=int, default=int(os.environ.get("PERFBUDGET_PREFECT_PORT", "4200")),
                       help="port of the local Prefect server started when PREFECT_API_URL is unset")
    serve.set_defaults(run=cmd_serve)


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--warehouse", default="data/warehouse", help="warehouse folder")
    parser.add_argument("--staging", help="staging CSV folder, with the extraction cache (default WAREHOUSE/staging)")
    parser.add_argument("--quarantine", help="quarantine folder (default WAREHOUSE/quarantine)")
    parser.add_argument("--share-folders", action="store_true",
                        help="allow --staging/--quarantine folders another warehouse has claimed (default: refuse)")
    parser.add_argument("--force", action="store_true",
                        help="build and publish even when nothing changed since the published build")
    parser.add_argument("--dask-address", default=os.environ.get("PERFBUDGET_DASK_ADDRESS", ""),
                        help="Dask scheduler (tcp://host:8786) to extract changed files on, through prefect-dask "
                             "(env PERFBUDGET_DASK_ADDRESS; default: this machine, a process pool for big inboxes)")


def _configure(args: argparse.Namespace) -> None:
    from flows.prefect_env import configure

    configure(Path(args.warehouse).resolve().parent / ".prefect")


def print_summary(rows: list[tuple[str, str]], stream=sys.stdout) -> None:
    width = max(len(label) for label, _ in rows)
    rule = "-" * min(100, width + 2 + max(len(value) for _, value in rows))
    print(rule, file=stream)
    for label, value in rows:
        print(f"{label:<{width}}  {value}", file=stream)
    print(rule, file=stream)


class LoadInterrupted(KeyboardInterrupt):
    """A stop signal, raised where the load is (a KeyboardInterrupt, so code that lets Ctrl-C
    through lets it through too)."""

    def __init__(self, signum: int):
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        super().__init__(f"stopped by {self.signal_name}")


@contextlib.contextmanager
def interrupt_on_signals(signals: tuple[int, ...] = (signal.SIGTERM, signal.SIGINT)) -> Iterator[list[int]]:
    """While inside, the first of `signals` raises `LoadInterrupted` in the main thread; later
    ones are noted and ignored, so the load's cleanup (stop dbt, log the run) is not cut
    short. Yields the signals received. The previous handlers come back on the way out."""
    received: list[int] = []

    def handler(signum: int, frame) -> None:
        received.append(signum)
        if len(received) == 1:
            raise LoadInterrupted(signum)

    previous = {signum: signal.signal(signum, handler) for signum in signals}
    try:
        yield received
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)


def _file_identity(path: Path) -> tuple[int, int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def interrupted_message(signal_name: str, log_dir: Path, runs_before: set[str] | None,
                        published_changed: bool) -> str:
    """The one line `run` prints when a signal stopped it (`runs_before`: the run ids logged
    before the load started, None when it had not started)."""
    from flows import runlog

    published = ("the published warehouse had already been replaced by this run's build" if published_changed
                 else "the published warehouse is unchanged")
    new_runs = [] if runs_before is None else [run for run in runlog.read_runs(log_dir)
                                               if run.run_id not in runs_before]
    if not new_runs:
        return f"perfbudget run: stopped by {signal_name} before a run started; nothing recorded; {published}"
    run = new_runs[-1]
    if run.status == runlog.FAILED:
        return (f"perfbudget run: stopped by {signal_name} during {run.failed_step}; run {run.run_id} recorded as "
                f"failed; {published}")
    return f"perfbudget run: stopped by {signal_name}; run {run.run_id} recorded as {run.status}; {published}"


def cmd_run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    before: dict = {}
    with interrupt_on_signals() as received:
        try:
            return _run(args, started, before)
        except KeyboardInterrupt as stop:
            signum = getattr(stop, "signum", None) or (received[0] if received else signal.SIGINT)
            return _report_stop(args, signal.Signals(signum), before)


def _report_stop(args: argparse.Namespace, signum: signal.Signals, before: dict) -> int:
    from flows.layout import WarehouseLayout

    layout = WarehouseLayout.at(args.warehouse)
    changed = "published" in before and _file_identity(layout.published) != before["published"]
    print(interrupted_message(signum.name, layout.run_log, before.get("runs"), changed),
          file=sys.stderr, flush=True)
    return 128 + signum


def _run(args: argparse.Namespace, started: float, before: dict) -> int:
    from flows import runlog
    from flows.layout import WarehouseLayout

    layout = WarehouseLayout.at(args.warehouse)
    before["runs"] = {run.run_id for run in runlog.read_runs(layout.run_log)}
    before["published"] = _file_identity(layout.published)
    _configure(args)
    from flows.load import run_load

    try:
        if not uses_prefect(args):
            result = run_load(args.inbox, args.warehouse, staging=args.staging, quarantine=args.quarantine,
                              force=args.force, share_folders=args.share_folders)
            rows = result.summary_rows()
        else:
            from flows.nightly import nightly_flow

            rows = list(nightly_flow(args.dask_address)(inbox=args.inbox, warehouse=args.warehouse,
                                                        staging=args.staging, quarantine=args.quarantine,
                                                        force=args.force, share_folders=args.share_folders).items())
    except Exception as err:  # noqa: BLE001 - the edge: report and exit non-zero
        print(f"perfbudget run: nightly load failed after {time.perf_counter() - started:.1f} s: {err}",
              file=sys.stderr)
        return 1
    rows = [(label, value) for label, value in rows if label != "seconds"]
    rows.append(("seconds", f"{time.perf_counter() - started:.1f} (whole command)"))
    print_summary(rows)
    return 0


def uses_prefect(args: argparse.Namespace) -> bool:
    """`run` goes through the Prefect flow when asked (`--prefect`) or when a Prefect server is
    configured (PREFECT_API_URL), unless `--direct`; otherwise its steps are called directly."""
    if args.direct:
        return False
    return bool(args.prefect or os.environ.get("PREFECT_API_URL"))


def cmd_serve(args: argparse.Namespace) -> int:
    _configure(args)
    from flows.prefect_env import start_local_server, stop_server

    server = None
    if not os.environ.get("PREFECT_API_URL"):
        log = Path(os.environ["PREFECT_HOME"]) / "server.log"
        print(f"no PREFECT_API_URL: starting a local Prefect server on 127.0.0.1:{args.port} (log {log})")
        server, api_url = start_local_server(args.port, log_file=log)
        os.environ["PREFECT_API_URL"] = api_url
        print(f"Prefect UI: {api_url.removesuffix('/api')}")
    try:
        from prefect.schedules import Cron

        from flows.nightly import nightly_flow

        nightly_load = nightly_flow(args.dask_address)
        parameters = {"inbox": str(Path(args.inbox).resolve()), "warehouse": str(Path(args.warehouse).resolve())}
        if args.force:
            parameters["force"] = True
        if args.share_folders:
            parameters["share_folders"] = True
        if args.staging:
            parameters["staging"] = str(Path(args.staging).resolve())
        if args.quarantine:
            parameters["quarantine"] = str(Path(args.quarantine).resolve())
        print(f"serving nightly_load/{args.name}: cron '{args.cron}' in {args.timezone}")
        nightly_load.serve(name=args.name, schedule=Cron(args.cron, timezone=args.timezone),
                           parameters=parameters, tags=["perfbudget", "nightly"],
                           description="Nightly load of the perfbudget warehouse (DESIGN.md §5)")
    except KeyboardInterrupt:
        pass
    finally:
        if server is not None:
            stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
