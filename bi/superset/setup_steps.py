"""Superset's setup commands, run in one process on one app (called by setup.sh, in bi/.venv).

    bi/.venv/bin/python bi/superset/setup_steps.py --bundle ZIP --warehouse DUCKDB --log FILE
    (the admin password in $PERFBUDGET_BI_ADMIN_PASSWORD, never on a command line)

Why one process: each `superset …` command is a new interpreter that imports Superset and makes
its app before doing anything, ~6 s of CPU on this machine; setup.sh ran five of them (db upgrade,
fab create-admin, init, import-dashboards, set-database-uri). Here the same click commands of
Superset's own CLI, with the same arguments, run in that order on one app: `superset.main` is
handed one `ScriptInfo`, which makes the app once and keeps it for every command. The app is made
before `db upgrade`, so what a new process's app does at start on an upgraded db (`sync_config_to_db`:
the system themes) is done once after it; the metadata db then holds what the five processes
left (every table's row count compared).

Superset's own output (its logs, click's messages) goes to the log file; this script's progress
lines go to its stdout. A command that fails (an exception, or a non-zero exit: Superset 6.1's
import-dashboards logs its error and exits 1) stops the setup: the step and the log's last lines
go to stderr, exit status 1.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

ADMIN = "admin"
PASSWORD_VARIABLE = "PERFBUDGET_BI_ADMIN_PASSWORD"


class StepFailed(Exception):
    """A Superset command that did not do what the setup needs."""


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--bundle", required=True, type=Path, help="the dashboard bundle (build_bundle.py --zip)")
    parser.add_argument("--warehouse", required=True, type=Path, help="the published DuckDB file (absolute)")
    parser.add_argument("--log", required=True, type=Path, help="where Superset's own output goes")
    return parser.parse_args(argv)


def _output_to(log: Path) -> tuple[TextIO, TextIO]:
    """Send file descriptors 1 and 2 (Superset's logging handlers and click's echo write there)
    into `log`; return streams on the original stdout and stderr, for this script's own lines."""
    progress = os.fdopen(os.dup(1), "w", buffering=1)
    errors = os.fdopen(os.dup(2), "w", buffering=1)
    with log.open("a") as stream:
        os.dup2(stream.fileno(), 1)
        os.dup2(stream.fileno(), 2)
    return progress, errors


@contextmanager
def _logging_kept() -> Iterator[None]:
    """Put Python's logging back as it was after the block. `db upgrade` runs Alembic's env.py,
    which loads its logging config with `fileConfig`: that disables every logger that exists by
    then (Superset's own among them) and replaces the root's handlers. In a process of its own
    that was the last thing the process did; here the next commands' logs (a failed import's
    traceback) would be lost."""
    root = logging.getLogger()
    loggers = [root, *(item for item in logging.root.manager.loggerDict.values() if isinstance(item, logging.Logger))]
    kept = [(item, item.disabled, item.level, list(item.handlers), item.propagate) for item in loggers]
    try:
        yield
    finally:
        for item, disabled, level, handlers, propagate in kept:
            item.disabled, item.propagate = disabled, propagate
            item.setLevel(level)
            item.handlers[:] = handlers


def _tail(log: Path, lines: int = 30) -> str:
    text = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return "\n".join(text[-lines:])


def main(argv: list[str] | None = None) -> int:
    options = _arguments(argv)
    password = os.environ.get(PASSWORD_VARIABLE)
    if not password:
        print(f"setup_steps.py: ${PASSWORD_VARIABLE} is empty", file=sys.stderr)
        return 2
    progress, errors = _output_to(options.log)

    from flask.cli import ScriptInfo  # after the redirect: importing Superset logs already
    from superset.cli.main import create_app, superset

    info = ScriptInfo(create_app=create_app)

    def run(*args: str, shown: str) -> None:
        print(f"== superset {shown}", file=progress)
        try:
            superset.main(args=list(args), prog_name="superset", obj=info, standalone_mode=False)
        except SystemExit as exit_:
            if exit_.code not in (None, 0):
                raise StepFailed(f"superset {shown} exited with {exit_.code}") from exit_
        except Exception as error:  # any failure of a command is the step's: its traceback to the log
            traceback.print_exc()
            raise StepFailed(f"superset {shown} failed: {error!r}") from error

    try:
        with _logging_kept():
            run("db", "upgrade", shown="db upgrade")
        app = info.load_app()
        with app.app_context():
            # what each new `superset` process does when its app starts on an upgraded db (the
            # system themes seeded); this app was made before the upgrade, when it could not
            app.sync_config_to_db()
            from superset import security_manager

            exists = security_manager.find_user(username=ADMIN) is not None
        if exists:
            run("fab", "reset-password", "--username", ADMIN, "--password", password,
                shown=f"fab reset-password --username {ADMIN}")
        else:
            run("fab", "create-admin", "--username", ADMIN, "--firstname", "Admin", "--lastname", "User",
                "--email", "admin@localhost", "--password", password, shown=f"fab create-admin --username {ADMIN}")
        run("init", shown="init")
        run("import-dashboards", "-p", str(options.bundle), "-u", ADMIN, shown=f"import-dashboards -p {options.bundle}")
        uri = f"duckdb:///{options.warehouse}"
        run("set-database-uri", "--database_name", "perfbudget", "--uri", uri,
            shown=f"set-database-uri --database_name perfbudget --uri {uri}")
    except StepFailed as failure:
        sys.stdout.flush()  # what the commands wrote, into the log before its tail is read
        sys.stderr.flush()
        print(f"!! {failure}; the last lines of {options.log}:\n{_tail(options.log)}", file=errors)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
