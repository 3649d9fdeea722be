"""`perfbudget docs`: the dbt docs site of the published warehouse, generated and served.

`dbt docs generate` asks the database for its catalog (column types, row counts). Run against
the scratch file the README once implied, the catalog was empty; run against the published
file it would open it read-write and lock BI readers out. So the site is generated from a
private copy of the published file (removed afterwards), with `--static`: one
`static_index.html` holding the manifest and catalog (no fetch, opens offline), beside the
usual `index.html`, `manifest.json` and `catalog.json`, in `<warehouse>/docs/`. Serving is
Python's own file server on the loopback interface.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import tempfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from flows.build import (
    NIGHTLY_VARS,
    PARTIAL_PARSE,
    REPO_ROOT,
    dbt_command,
    kept_parse,
    reuse_parse,
    reuse_parse_of,
)
from flows.layout import WarehouseLayout


class DocsFailed(RuntimeError):
    """`dbt docs generate` failed or there is no published warehouse to describe."""


def generate_docs(layout: WarehouseLayout, project_dir: Path = REPO_ROOT, timeout: float = 900) -> Path:
    """Write the docs site of `layout`'s published warehouse into `<warehouse>/docs/`; returns
    the folder. The published file is only read (copied)."""
    if not layout.published.exists():
        raise DocsFailed(f"no published warehouse at {layout.published}: run `perfbudget run` first")
    out = layout.root / "docs"
    with tempfile.TemporaryDirectory(prefix="perfbudget-docs-", dir=layout.root) as scratch:
        # named as the nightly build's file and run with its vars, so that dbt reuses the parse
        # the last night kept (flows/dbt_launch.py) instead of parsing the project again
        copy = Path(scratch) / layout.building.name
        shutil.copyfile(layout.published, copy)
        env = {**os.environ, "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
               "DBT_USE_COLORS": "false", "DBT_PROFILES_DIR": str(project_dir / "profiles"),
               "PERFBUDGET_DUCKDB_PATH": str(copy), "PERFBUDGET_STAGING_DIR": str(layout.staging)}
        target = Path(scratch) / "target"
        nightly = layout.dbt_work / "target"
        if (nightly / PARTIAL_PARSE).exists():
            reuse_parse_of(target, nightly)
        else:
            reuse_parse(target, kept_parse(NIGHTLY_VARS, copy))
        command = [*dbt_command(), "docs", "generate", "--static", "--project-dir", str(project_dir),
                   "--profiles-dir", str(project_dir / "profiles"), "--target-path", str(target),
                   "--log-path", str(Path(scratch) / "logs"), *NIGHTLY_VARS]
        done = subprocess.run(command, cwd=project_dir, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)
        if done.returncode != 0:
            tail = " | ".join(line.strip() for line in (done.stdout + done.stderr).splitlines()[-8:])
            raise DocsFailed(f"dbt docs generate failed (exit {done.returncode}): {tail}")
        staged = Path(scratch) / "site"
        staged.mkdir()
        for name in ("index.html", "static_index.html", "manifest.json", "catalog.json"):
            shutil.copyfile(target / name, staged / name)
        shutil.rmtree(out, ignore_errors=True)
        staged.rename(out)
    return out


def docs_server(folder: Path, port: int = 8080, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A file server of `folder` on `host:port` (port 0: any free port); call serve_forever."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
            pass

    return ThreadingHTTPServer((host, port), functools.partial(QuietHandler, directory=str(folder)))
