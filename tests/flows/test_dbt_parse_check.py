"""What dbt's partial-parse profile check sees (flows/dbt_launch.py `profile_values`): a
warehouse in another folder, or a lean build's DuckDB settings, reuse the parse; a project in
another folder does not (dbt's parse holds paths of the project's files, a seed's among them).
And the launch's garbage collection and its events (its points 4 and 5)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from flow_sites import REPO_ROOT

from flows.dbt_launch import YOUNG_COLLECTION_THRESHOLD, profile_values

CONNECTION = [("path", "/data/a/builds/.building.duckdb"), ("schema", "main"),
              ("settings", {"memory_limit": "450MB", "preserve_insertion_order": False, "max_vacuum_tasks": "0",
                            "timezone": "UTC"})]


def test_the_warehouse_folder_and_the_resource_settings_are_left_out():
    moved = [("path", "/elsewhere/b/builds/.building.duckdb"), ("schema", "main"),
             ("settings", {"memory_limit": "1GB", "timezone": "UTC"})]
    assert profile_values(CONNECTION, "/repo") == profile_values(moved, "/repo") == [
        ("path", ".building.duckdb"), ("schema", "main"), ("settings", {"timezone": "UTC"}),
        ("project_root", "/repo")]


def test_another_file_name_another_setting_or_another_project_folder_count():
    renamed = [("path", "/data/a/builds/other.duckdb"), *CONNECTION[1:]]
    other_zone = [*CONNECTION[:2], ("settings", {"timezone": "Asia/Shanghai"})]
    base = profile_values(CONNECTION, "/repo")
    assert profile_values(renamed, "/repo") != base
    assert profile_values(other_zone, "/repo") != base
    assert profile_values(CONNECTION, "/tmp/second-checkout") != base


@pytest.mark.parametrize(("setting", "expected"), [
    (None, [f"({YOUNG_COLLECTION_THRESHOLD}, 10, 10", "True\n"]),
    ("true", [f"({YOUNG_COLLECTION_THRESHOLD}, 10, 10", "True\n"]),
    ("false", ["(700, 10, 10", "False\n"]),  # a lean build (flows/build.py LEAN_LAUNCH): CPython's own
])
def test_the_launch_freezes_what_it_imported_and_collects_young_objects_less_often(setting, expected):
    """flows/dbt_launch.py point 4, in a fresh interpreter as dbt's launch is."""
    probe = ("import gc, sys; sys.path.insert(0, sys.argv[1]); import dbt_launch; "
             "before = gc.get_threshold(); dbt_launch.collect_for_this_build(); "
             "print(before, gc.get_threshold(), gc.get_freeze_count() > 1000)")
    env = {key: value for key, value in os.environ.items() if key != "PERFBUDGET_DBT_FEWER_COLLECTIONS"}
    if setting is not None:
        env["PERFBUDGET_DBT_FEWER_COLLECTIONS"] = setting
    shown = subprocess.run([sys.executable, "-c", probe, str(REPO_ROOT / "flows")], capture_output=True, text=True,
                           check=True, env=env).stdout.split(") ")
    assert shown == ["(700, 10, 10", *expected]


# dbt's own event manager, loggers and events, in a fresh interpreter as dbt's launch is: counts
# the messages dbt makes of events and the events whose arguments it parses (the work point 5
# saves) and prints what each log wrote
EVENT_PROBE = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import dbt_launch
from dbt.adapters.events.types import SQLQuery
from dbt.tracking import track_behavior_change_warn
from dbt_common.events import event_manager
from dbt_common.events.base_types import EventLevel
from dbt_common.events.event_manager import EventManager
from dbt_common.events.logger import LineFormat, LoggerConfig
from dbt_common.events.types import Note, PrintEvent

from dbt_common.events import base_types
made, parsed = [], []
make = event_manager.msg_from_base_event
event_manager.msg_from_base_event = lambda e, level=None: made.append(type(e).__name__) or make(e, level=level)
parse = base_types.ParseDict
def parse_counted(values, message):
    if not type(message).__name__.endswith("Msg"):  # an event's own arguments, not the message made of it
        parsed.append(type(message).__name__)
    return parse(values, message)
base_types.ParseDict = parse_counted
dbt_launch.events_for_this_build()
for log_level in sys.argv[2].split(","):
    manager = EventManager()
    log = Path(sys.argv[3]) / f"{log_level}.log"
    manager.add_logger(LoggerConfig(name="file", line_format=LineFormat.DebugText, level=EventLevel(log_level),
                                    output_file_name=str(log)))
    manager.add_callback(track_behavior_change_warn)
    if sys.argv[4] == "listener":
        manager.add_callback(lambda msg: None)
    manager.fire_event(SQLQuery(conn_name="node", sql="select 42", node_info={}))
    manager.fire_event(Note(msg="a note at debug"), level=EventLevel.DEBUG)
    manager.fire_event(PrintEvent(msg="printed"), level=EventLevel.DEBUG)
    manager.fire_event(Note(msg="a note at info"))
    text = log.read_text()
    words = ("select 42", "a note at debug", "printed", "a note at info")
    print(log_level, made, parsed, [word for word in words if word in text])
    made.clear()
    parsed.clear()
"""


EVERY_EVENT = "['SQLQuery', 'Note', 'PrintEvent', 'Note']"
EVERY_LINE = "['select 42', 'a note at debug', 'printed', 'a note at info']"


@pytest.mark.parametrize(("listener", "drop", "expected"), [
    # at info, the two debug events are dropped before dbt parses their arguments or makes a
    # message of them; the print event is not
    ("none", None, ["info ['PrintEvent', 'Note'] ['PrintEvent', 'Note'] ['printed', 'a note at info']",
                    f"debug {EVERY_EVENT} {EVERY_EVENT} {EVERY_LINE}"]),
    # a listener of dbt's events other than dbt's own gets every event, as dbt gives them
    ("listener", None, [f"info {EVERY_EVENT} {EVERY_EVENT} ['printed', 'a note at info']",
                        f"debug {EVERY_EVENT} {EVERY_EVENT} {EVERY_LINE}"]),
    # a lean build (flows/build.py LEAN_LAUNCH) keeps every event and parses each as it is made
    ("none", "false", [f"info {EVERY_EVENT} {EVERY_EVENT} ['printed', 'a note at info']",
                       f"debug {EVERY_EVENT} {EVERY_EVENT} {EVERY_LINE}"]),
])
def test_the_launch_drops_debug_events_only_where_no_log_or_listener_takes_them(tmp_path, listener, drop, expected):
    """flows/dbt_launch.py point 5: a debug event costs nothing where every log is at info, and
    each log holds what it held before."""
    env = {key: value for key, value in os.environ.items() if key != "PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS"}
    if drop is not None:
        env["PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS"] = drop
    shown = subprocess.run([sys.executable, "-c", EVENT_PROBE, str(REPO_ROOT / "flows"), "info,debug", str(tmp_path),
                            listener], capture_output=True, text=True, check=True, env=env).stdout.splitlines()
    assert shown == expected
