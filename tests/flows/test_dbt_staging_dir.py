"""The dbt-duckdb plugin that tells each cursor where the staging CSVs are (flows/dbt_staging_dir.py):
any folder name reaches DuckDB as written, and setting it imports nothing into dbt's process."""

from __future__ import annotations

import subprocess
import sys

import duckdb
import pytest
from flow_sites import REPO_ROOT

from flows.dbt_staging_dir import VARIABLE, Plugin


@pytest.mark.parametrize(("folder", "read"), [
    ("/srv/perfbudget/staging/", "/srv/perfbudget/staging"),
    ("/data/it's here", "/data/it's here"),
    ("/data/''; drop table x; --", "/data/''; drop table x; --"),
    (r"C:\perfbudget\暂存", r"C:\perfbudget\暂存"),
    ("/", "/"),
])
def test_the_connection_and_each_cursor_read_the_folder_as_written(monkeypatch, folder, read):
    monkeypatch.setenv("PERFBUDGET_STAGING_DIR", folder)
    plugin = Plugin("staging_dir", {})
    with duckdb.connect() as connection:
        connection.execute("create table x (i integer)")
        plugin.configure_connection(connection)
        assert connection.execute(f"select getvariable('{VARIABLE}')").fetchone() == (read,)
        cursor = connection.cursor()
        plugin.configure_cursor(cursor)
        assert cursor.execute(f"select getvariable('{VARIABLE}')").fetchone() == (read,)
        assert connection.execute("select count(*) from x").fetchone() == (0,)  # nothing else ran


def test_setting_the_folder_does_not_import_pandas():
    """A prepared parameter would: DuckDB's client imports pandas to look at it, ~0.3 s of every
    dbt process's CPU."""
    script = ("import sys, duckdb\n"
              "from flows.dbt_staging_dir import Plugin\n"
              "plugin = Plugin('staging_dir', {})\n"
              "connection = duckdb.connect()\n"
              "plugin.configure_connection(connection)\n"
              "plugin.configure_cursor(connection.cursor())\n"
              "print(sorted(name for name in sys.modules if name.split('.')[0] == 'pandas'))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.strip() == "[]", done.stderr
