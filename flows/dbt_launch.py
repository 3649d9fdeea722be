"""Start dbt for a build: tied to the process that asked for it, and able to reuse a parse.

Run as `python dbt_launch.py <load pid or 0> <dbt arguments…>` (flows.build starts it; of
perfbudget it imports only its sibling dbt_templates.py, which needs nothing but the standard
library, so it costs no more than dbt's own entry point).

1. **Tied to the load.** With a pid, on Linux, dbt asks the kernel for SIGKILL when that
   process dies (prctl PR_SET_PDEATHSIG), and gives up if it died already: a load killed
   outright (SIGKILL, the OOM killer) does not leave a dbt writing into, and locking, its
   build file.
2. **A parse that survives a move.** dbt reuses its last parse (target/partial_parse.msgpack,
   "partial parsing") only if, among other checks, the profile's connection values are the
   same, and those include the full path of the DuckDB file. Every new warehouse folder (and
   every test's) would parse the whole project afresh: 10 of the 40 seconds of a sample build.
   The folder of the file cannot change what dbt parses (no model reads `target.path`), so the
   profile check here hashes the file's *name* in place of its path, and the DuckDB settings
   without those that only size the build's resources (memory, spilling, insertion order: the
   lean build's differ, `RESOURCE_SETTINGS`), and adds the project's own folder, which dbt
   does not check though its parse holds paths in it (`profile_values`). Everything else dbt
   checks (its version, --vars, the other connection values, dbt_project.yml, every file's
   checksum, the env vars a file reads) it still checks, and anything that differs still means
   a full parse. flows.build copies a kept parse into a new target folder (its parse cache).
3. **Started ahead.** With $PERFBUDGET_DBT_WAIT_FOR_GO set (flows.build.prestart_dbt_build), it
   loads dbt and its DuckDB adapter, then waits for a line `go` on stdin before dbt starts (any
   other line, or stdin closed, and it exits): the nightly load starts it for an incremental
   build while the staging gate runs, so that Python's and dbt's start (~4 s) is not on the
   night's path.
4. **Fewer garbage collections.** dbt keeps a large heap (its imports, then the parsed project)
   and makes many short-lived objects for each node. At CPython's default thresholds a build of
   the samples ran ~1 100 collections, 1.0-1.3 s of its ~13 s of CPU, each young collection
   also walking objects that live as long as the process. The launch moves what is imported by
   then out of the collector's sight (`gc.freeze`) and collects the youngest generation every
   50 000 allocations instead of 700: 12 collections, 0.35-0.44 s (`fewer_collections`). Only
   cyclic garbage waits longer; everything else is freed as before, by reference counting. A
   lean build (flows/build.py LEAN_LAUNCH) sets $PERFBUDGET_DBT_FEWER_COLLECTIONS to `false` and
   keeps CPython's defaults: its memory comes first.
5. **No work for events no log keeps.** dbt fires several debug events for each node (each SQL
   statement, its status, each connection used and closed), and for each one it makes the
   message its logs read, then has each log format and scrub the line, and only then drops it
   because the log is at info (flows/build.py FILE_LOG; the console's default too). That was
   12 % of the CPU of a 425-node build of the samples, most of it for debug events (py-spy,
   2026-12-03). The launch drops a debug event before any of that when no log would write it
   and nothing else listens (`drop_unlogged_debug_events`): what every log holds is the same.
   With a log at debug (`--log-level-file debug`, `--debug`) every event is handled as dbt does;
   a lean build (flows/build.py LEAN_LAUNCH) sets $PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS to `false`
   and keeps them all: its memory comes first (flows/build.py says what was measured).
   dbt also parses each event's arguments into its protobuf message (json_format.ParseDict, in
   Python) as it makes the event, before it fires it: 12 % of the Python CPU of a build (py-spy
   --gil, 2026-12-03), dropped events included. With the drop on, the message is made when the
   event is first read (`parse_events_when_read`), which a dropped event never is. A 425-node
   build of the samples, dbt's CPU, four pairs run alternately: 17.4 / 18.4 / 18.2 / 18.4 s
   without, 16.3 / 17.9 / 16.1 / 16.0 s with; its dbt.log the same 872 lines (times masked).
6. **Templates compiled once.** dbt compiles each node's SQL, each test's arguments and each
   macro it calls from Jinja to Python as it goes, and keeps none of it: 1 181 compilations of
   605 distinct sources in a 425-node build of the samples, 1.3 s of its CPU. The launch looks
   each one up first, in memory and in the file the last build in the same target folder wrote
   (flows/dbt_templates.py says what the key holds and when the file is read), and writes the
   file again when it compiled anything new (`compile_templates_once`).
7. **One type tester per kind of result.** dbt reads each query's result into an agate table
   and makes a new set of column types for every result in which a column holds text (the
   adapter's queries of a relation's columns among them); each set makes a date parser, 0.75 s
   of a 425-node build. The launch makes each set once per set of text columns and reuses it
   (`one_type_tester_per_kind`), as dbt itself does for results without text.
8. **Each node's contexts freed when it is done.** For every node dbt makes a Jinja context that
   holds a callable for each of the project's ~600 macros, each holding the context again, and
   more for the macros the node runs: cycles, which only the garbage collector frees. A 425-node
   build of the samples left it 890 000 objects to find (21 young collections, 1.6-1.8 s). The
   launch empties a node's contexts once its runner has compiled and run it, which frees them
   by reference counting: 235 000 objects left to the collector (0.35-0.48 s), and a forced run
   of the samples took 0.90x the CPU (median of five pairs; `free_node_contexts`). Nothing of a
   context is read after its node's run: the run's result holds the node, the adapter's
   response and the tables it loaded, not the context. On in every build, lean ones too: it
   frees memory sooner.
"""

from __future__ import annotations

import gc
import os
import pprint
import signal
import sys
from collections.abc import Iterable
from pathlib import PurePath


def tie_to(parent_pid: int) -> None:
    """SIGKILL this process (and the dbt it becomes) when `parent_pid` dies (Linux only)."""
    if not parent_pid or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(1)


# DuckDB settings of the profile that size the build's resources and cannot change what dbt
# parses (no model reads them): the nightly load's lean build (flows/build.py LEAN_SETTINGS)
# sets other values than every other build, and with them in the hash the night after a lean
# full build parsed the whole project again (8 s of a 1 % night at 100 000 forms, 2026-12-02)
RESOURCE_SETTINGS = frozenset({"memory_limit", "preserve_insertion_order", "checkpoint_threshold", "threads",
                               "temp_directory", "max_temp_directory_size", "allocator_flush_threshold",
                               "allocator_background_threads", "max_vacuum_tasks"})


def _parsed_as(key: str, value: object) -> object:
    """A connection value as the profile check sees it: the DuckDB file by its name, the
    settings without those that only size resources."""
    if key == "path" and isinstance(value, str):
        return PurePath(value).name
    if key == "settings" and isinstance(value, dict):
        return {name: setting for name, setting in value.items() if name not in RESOURCE_SETTINGS}
    return value


def profile_values(connection_info: Iterable[tuple[str, object]], project_root: str) -> list[tuple[str, object]]:
    """What the profile check hashes: the connection values as `_parsed_as` gives them, and the
    project's folder. dbt keeps absolute paths of the project's files in its parse (a seed's
    root_path) and does not check the folder itself: a warehouse whose parse was made by a
    checkout in another folder (moved, or a second one) read its seeds from that folder, and the
    night failed with "No files found" when the folder was gone."""
    values = sorted((key, _parsed_as(key, value)) for key, value in connection_info)
    return [*values, ("project_root", str(project_root))]


def hash_profile_by_file_name() -> None:
    """Make dbt's partial-parse profile check see the DuckDB file's name, not its folder, and
    the settings without the resource ones (`_parsed_as`)."""
    from dbt.contracts.files import FileHash
    from dbt.parser.manifest import ManifestLoader

    build_state_check = ManifestLoader.build_manifest_state_check

    def state_check(self):
        check = build_state_check(self)
        values = profile_values(self.root_project.credentials.connection_info(), self.root_project.project_root)
        check.profile_hash = FileHash.from_contents(pprint.pformat(values))
        return check

    ManifestLoader.build_manifest_state_check = state_check


def wait_for_go() -> bool:
    """Load what dbt loads first, then wait for the build to send this process on."""
    import dbt.adapters.duckdb  # noqa: F401  (the profile's adapter: dbt imports it when it starts)

    return sys.stdin.readline().strip() == "go"


# the youngest generation is collected after this many allocations (CPython's default: 700);
# the older two keep their default ratios
YOUNG_COLLECTION_THRESHOLD = 50_000
# points 4 and 5 are on unless the build's environment sets these to `false` (a lean build,
# flows/build.py LEAN_LAUNCH)
FEWER_COLLECTIONS = "PERFBUDGET_DBT_FEWER_COLLECTIONS"
DROP_UNLOGGED_EVENTS = "PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS"


def _on(variable: str) -> bool:
    """Whether the build's environment leaves this launch setting on (anything but `false`)."""
    return os.environ.get(variable, "true") != "false"


def fewer_collections() -> None:
    """Freeze the heap built so far and collect young objects less often (docstring, point 4)."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


def collect_for_this_build() -> None:
    """Fewer collections unless the build is lean ($PERFBUDGET_DBT_FEWER_COLLECTIONS `false`)."""
    if _on(FEWER_COLLECTIONS):
        fewer_collections()


def drop_unlogged_debug_events() -> None:
    """Have dbt's event manager drop a debug event that no log would write (docstring, point 5):
    every log is above debug, no listener but dbt's own (which reads warnings only) is there,
    and the event is not one dbt prints whatever the level."""
    from dbt.tracking import track_behavior_change_warn
    from dbt_common.events.base_types import EventLevel
    from dbt_common.events.event_manager import EventManager
    from dbt_common.events.logger import PRINT_EVENT_NAMES

    unlogged = (EventLevel.DEBUG, EventLevel.TEST)
    fire = EventManager.fire_event

    def fire_event(self, e, level=None, node=None, force_warn_or_error_handling=False):
        if ((level or e.level_tag()) in unlogged and not force_warn_or_error_handling
                and all(logger.level not in unlogged for logger in self.loggers)
                and all(callback is track_behavior_change_warn for callback in self.callbacks)
                and type(e).__name__ not in PRINT_EVENT_NAMES):
            return None
        return fire(self, e, level=level, node=node, force_warn_or_error_handling=force_warn_or_error_handling)

    EventManager.fire_event = fire_event
    parse_events_when_read()


def parse_events_when_read() -> None:
    """Make an event's protobuf message (`pb_msg`, which dbt fills from the event's arguments with
    protobuf's json_format.ParseDict, in Python) when the event is first read, not when it is
    made: dbt makes each debug event before it fires it, so a dropped one was parsed for nothing
    (docstring, point 5). Any read of the event (its fields, `pb_msg`, a level that depends on a
    field) or write to it makes the message first, from the same arguments, as dbt made it."""
    from dbt_common.events.base_types import BaseEvent

    make, read, write = BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__

    def made(event: BaseEvent) -> None:
        if "pb_msg" not in event.__dict__:
            args, kwargs = event.__dict__["_pb_arguments"]
            make(event, *args, **kwargs)

    def __init__(self, *args, **kwargs):
        self.__dict__["_pb_arguments"] = (args, kwargs)

    def __getattr__(self, key):
        made(self)
        return read(self, key)

    def __setattr__(self, key, value):
        if key != "pb_msg":  # dbt's __init__ sets pb_msg through here
            made(self)
        write(self, key, value)

    BaseEvent.__init__, BaseEvent.__getattr__, BaseEvent.__setattr__ = __init__, __getattr__, __setattr__


def events_for_this_build() -> None:
    """Drop the debug events no log writes unless the build is lean
    ($PERFBUDGET_DBT_DROP_UNLOGGED_EVENTS `false`)."""
    if _on(DROP_UNLOGGED_EVENTS):
        drop_unlogged_debug_events()


def compile_templates_once(dbt_arguments: list[str]):
    """Look each Jinja compilation up before making it (docstring, point 6); returns the cache,
    whose `save` writes the target folder's file of compiled templates."""
    from dbt_templates import TEMPLATES_FILE, install, target_path_of  # a sibling, as this runs as a script

    target = target_path_of(dbt_arguments, os.environ)
    return install(target / TEMPLATES_FILE if target is not None else None)


def one_type_tester_per_kind() -> None:
    """Make each agate type tester once per set of text columns (docstring, point 7). A type tester
    holds only the column types it tries; dbt already shares one across threads for results that
    hold no text."""
    import functools

    from dbt_common.clients import agate_helper

    build = agate_helper.build_type_tester

    @functools.lru_cache(maxsize=256)
    def built(text_columns: frozenset[str], string_null_values: tuple[str, ...] | None):
        return build(sorted(text_columns), string_null_values)

    def build_type_tester(text_columns, string_null_values=("null", "")):
        nulls = tuple(string_null_values) if string_null_values is not None else None
        return built(frozenset(text_columns), nulls)

    agate_helper.build_type_tester = build_type_tester


def free_node_contexts() -> None:
    """Empty each Jinja context a node made once the node is compiled and run (docstring, point
    8). The contexts are noted as dbt makes them (`ManifestContext.to_dict`, which every model,
    test and macro context goes through), per thread, while a runner compiles and executes its
    node; contexts made outside a node (parsing, hooks, the main thread's queries) are left alone."""
    import threading

    from dbt.context.manifest import ManifestContext
    from dbt.task.base import BaseRunner

    made = threading.local()
    to_dict, compile_and_execute = ManifestContext.to_dict, BaseRunner.compile_and_execute

    def to_dict_noted(self):
        context = to_dict(self)
        noted = getattr(made, "contexts", None)
        if noted is not None:
            noted.append(context)
        return context

    def compile_and_execute_then_free(self, manifest, ctx):
        made.contexts = []
        try:
            return compile_and_execute(self, manifest, ctx)
        finally:
            contexts, made.contexts = made.contexts, None
            for context in contexts:
                context.clear()

    ManifestContext.to_dict = to_dict_noted
    BaseRunner.compile_and_execute = compile_and_execute_then_free


def main(argv: list[str]) -> int:
    tie_to(int(argv[1]))
    hash_profile_by_file_name()
    from dbt.cli.main import cli

    events_for_this_build()
    templates = compile_templates_once(argv[2:])
    one_type_tester_per_kind()
    free_node_contexts()
    collect_for_this_build()

    if os.environ.get("PERFBUDGET_DBT_WAIT_FOR_GO") and not wait_for_go():
        return 1

    sys.argv = ["dbt", *argv[2:]]
    try:
        return cli()
    finally:  # dbt's command line ends by raising SystemExit
        templates.save()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
