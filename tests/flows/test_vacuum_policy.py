"""Which builds let DuckDB vacuum (flows/load.py `vacuums`): a full build and every seventh
incremental night in a row; the others run dbt with max_vacuum_tasks 0 (flows/build.py
NO_VACUUM_SETTINGS, profiles/profiles.yml), and the published build's record counts them
(flows/inputs.py `record_published`, read back by flows/delta.py `delta_base`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flow_sites import REPO_ROOT

from flows import build
from flows.delta import DeltaBase, delta_base
from flows.load import VACUUM_EVERY, vacuums

VACUUM = "PERFBUDGET_DUCKDB_MAX_VACUUM_TASKS"


def _base(nights: int) -> DeltaBase:
    return DeltaBase("run", Path("published.duckdb"), {}, nights_unvacuumed=nights)


def test_a_full_build_and_every_seventh_incremental_night_vacuum():
    assert VACUUM_EVERY == 7
    assert vacuums(None)
    assert [vacuums(_base(nights)) for nights in range(8)] == [False] * 6 + [True, True]


@pytest.mark.parametrize(("recorded", "read"), [(3, 3), (0, 0), (None, 0), ("3", 0), (-1, 0)])
def test_the_record_gives_the_nights_without_vacuum(tmp_path, recorded, read):
    published = tmp_path / "perfbudget.duckdb"
    published.write_bytes(b"a published file")
    stat = published.stat()
    record = {"run_id": "r1", "project": "p", "files": {}, "published": [stat.st_size, stat.st_mtime_ns]}
    if recorded is not None:
        record["nights_unvacuumed"] = recorded
    (tmp_path / "published_inputs.json").write_text(json.dumps(record), encoding="utf-8")
    base = delta_base(tmp_path / "published_inputs.json", published, "p")
    assert base is not None and base.nights_unvacuumed == read


def test_a_build_without_vacuum_sets_duckdb_s_max_vacuum_tasks_to_0_unless_told_otherwise(tmp_path, monkeypatch):
    monkeypatch.delenv(VACUUM, raising=False)
    monkeypatch.delenv("PERFBUDGET_DBT_ARGS", raising=False)

    def invocation(vacuum: bool):
        return build._invocation(tmp_path / "w.duckdb", tmp_path / "staging", tmp_path / "work", REPO_ROOT, None,
                                 tmp_path / "published.duckdb", vacuum=vacuum)

    assert invocation(False).env[VACUUM] == "0"
    assert VACUUM not in invocation(True).env  # the profile's 100, DuckDB's own
    monkeypatch.setenv(VACUUM, "5")
    assert invocation(False).env[VACUUM] == "5"


# renders the profile as dbt does and opens DuckDB with its settings (in a child: dbt's flags are global)
RENDER_PROFILE = """
import os, duckdb
from argparse import Namespace
from dbt_common.context import set_invocation_context
from dbt.flags import set_from_args
from dbt.config.profile import Profile, read_profile
from dbt.config.renderer import ProfileRenderer
set_invocation_context(os.environ)
set_from_args(Namespace(), {})
profile = Profile.from_raw_profiles(read_profile("profiles"), "perfbudget", ProfileRenderer({}))
with duckdb.connect(":memory:", config=dict(profile.credentials.settings)) as connection:
    print(connection.execute("select current_setting('max_vacuum_tasks')").fetchone()[0])
"""


@pytest.mark.parametrize(("env", "setting"), [({}, "100"), ({VACUUM: "0"}, "0")])
def test_the_profile_hands_the_setting_to_duckdb(env, setting):
    child_env = {key: value for key, value in os.environ.items() if key != VACUUM}
    done = subprocess.run([sys.executable, "-c", RENDER_PROFILE], cwd=REPO_ROOT, env={**child_env, **env},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [setting]
