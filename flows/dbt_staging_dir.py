"""dbt-duckdb plugin: tells each DuckDB cursor of a dbt run where the staging CSVs are.

The sources (models/staging/_perfbudget__sources.yml) read `getvariable('perfbudget_staging_dir')`,
which this plugin sets on every cursor from $PERFBUDGET_STAGING_DIR (default data/staging, from
the repository root where dbt runs). Why not `env_var()` in the YAML, as before: dbt renders that
while it parses, so every build whose staging folder is elsewhere (a new warehouse, each test's
folder) had to parse the sources file, its tests and every model downstream of a source again;
read here, at run time, the folder is no part of the parse (flows/dbt_launch.py says more).
The profile (profiles/profiles.yml) names this module under `plugins`.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

VARIABLE = "perfbudget_staging_dir"
DEFAULT = "data/staging"


def staging_dir() -> str:
    """The staging folder of this run (without a trailing slash: the sources append `/name.csv`)."""
    return (os.environ.get("PERFBUDGET_STAGING_DIR") or DEFAULT).rstrip("/") or "/"


def set_staging_dir() -> str:
    """The statement that sets the variable, the folder as a quoted SQL literal. Not a prepared
    parameter: DuckDB's Python client imports pandas to look at a statement's parameters
    (~0.3 s of CPU, in every dbt process, which imports it for nothing else)."""
    return f"set variable {VARIABLE} = '{staging_dir().replace(chr(39), chr(39) * 2)}'"


class Plugin(BasePlugin):
    """Sets the DuckDB variable the sources read, on the parent connection and on each cursor."""

    def configure_connection(self, conn) -> None:
        conn.execute(set_staging_dir())

    def configure_cursor(self, cursor) -> None:
        cursor.execute(set_staging_dir())
