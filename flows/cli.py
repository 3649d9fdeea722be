"""Handlers of `perfbudget run` and `perfbudget serve` (wired in extract/cli.py).

`run` runs `nightly_load` once with no Prefect server to install: unless PREFECT_API_URL
points at one, Prefect starts a temporary local server for the run. `serve` registers the
flow as a cron deployment (02:00 Asia/Shanghai by default) and runs it on schedule; with no
PREFECT_API_URL it starts a local `prefect server` first (schedules need a real server).
Prefect's home defaults to `<warehouse>/../.prefect` (data/.prefect), analytics are off.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"
DEFAULT_DEPLOYMENT = "nightly"


def add_verbs(verbs: argparse._SubParsersAction) -> None:
    run = verbs.add_parser("run", help="run the nightly load once (no Prefect server needed)")
    _common(run)
    run.add_argument("--direct", action="store_true",
                     help="call the load's steps directly, without Prefect (fast; same checks and publish)")
    run.set_defaults(run=cmd_run)

    serve = verbs.add_parser("serve", help="serve nightly_load on its cron schedule")
    _common(serve)
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
    parser.add_argument("--inbox", default="data/samples", help="folder of published documents")
    parser.add_argument("--warehouse", default="data/warehouse", help="warehouse folder")
    parser.add_argument("--staging", help="staging CSV folder (default WAREHOUSE/../staging)")
    parser.add_argument("--quarantine", help="quarantine folder (default WAREHOUSE/../quarantine)")
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


def cmd_run(args: argparse.Namespace) -> int:
    _configure(args)
    from flows.load import run_load

    started = time.perf_counter()
    try:
        if args.direct:
            result = run_load(args.inbox, args.warehouse, staging=args.staging, quarantine=args.quarantine,
                              force=args.force)
            rows = result.summary_rows()
        else:
            from flows.nightly import nightly_flow

            rows = list(nightly_flow(args.dask_address)(inbox=args.inbox, warehouse=args.warehouse,
                                                        staging=args.staging, quarantine=args.quarantine,
                                                        force=args.force).items())
    except Exception as err:  # noqa: BLE001 - the edge: report and exit non-zero
        print(f"perfbudget run: nightly load failed after {time.perf_counter() - started:.1f} s: {err}",
              file=sys.stderr)
        return 1
    rows = [(label, value) for label, value in rows if label != "seconds"]
    rows.append(("seconds", f"{time.perf_counter() - started:.1f} (whole command)"))
    print_summary(rows)
    return 0


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
