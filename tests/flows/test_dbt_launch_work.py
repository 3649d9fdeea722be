"""Work the dbt launch saves dbt (flows/dbt_launch.py points 6 to 8): Jinja templates compiled
once (flows/dbt_templates.py), one agate type tester per set of text columns, and each node's
contexts emptied once it ran. The same code, tables and results as dbt makes them, made with
less work.
"""

from __future__ import annotations

import marshal
import subprocess
import sys
from pathlib import Path

import jinja2
import pytest
from dbt_common.clients import agate_helper
from dbt_common.clients.jinja import get_environment
from flow_sites import REPO_ROOT

from flows import dbt_templates
from flows.build import PARTIAL_PARSE, keep_parse, reuse_parse, reuse_parse_of
from flows.dbt_launch import one_type_tester_per_kind
from flows.dbt_templates import TEMPLATES_FILE, CompiledTemplates, environment_key, install, target_path_of
from flows.layout import WarehouseLayout

GLOBAL_MACROS = Path(jinja2.__file__).parents[1] / "dbt" / "include" / "global_project" / "macros"
GENERIC = ["{{ test_not_null(**_dbt_generic_test_kwargs) }}", "{{ get_where_subquery(ref('fact_indicator')) }}",
           "select {{ 1 + 1 }} as two", "{% set x = [1, 2] %}{{ x | length }}{{ 'a' | as_text }}"]


def _sources() -> list[str]:
    """Real template sources: the project's macros and models, dbt's own macros, and test arguments."""
    files = [*sorted((REPO_ROOT / "macros").rglob("*.sql")), *sorted((REPO_ROOT / "models").rglob("*.sql")),
             *sorted(GLOBAL_MACROS.rglob("*.sql"))]
    return [*(path.read_text(encoding="utf-8") for path in files), *GENERIC]


SOURCES = _sources()


@pytest.fixture
def jinja_compile(monkeypatch):
    """Jinja's own compile, put back after the test (install replaces it process-wide)."""
    monkeypatch.setattr(jinja2.Environment, "compile", jinja2.Environment.compile)
    return jinja2.Environment.compile


def _compile_all(compile_source) -> list:
    return [compile_source(get_environment(native=native), source) for native in (False, True) for source in SOURCES]


def test_each_source_compiles_once_to_the_code_jinja_makes(jinja_compile):
    assert len(SOURCES) > 150
    fresh = _compile_all(jinja_compile)
    templates = install(None)
    first = _compile_all(jinja2.Environment.compile)
    assert (templates.compiled, templates.looked_up) == (len(fresh), 0)
    again = _compile_all(jinja2.Environment.compile)
    assert (templates.compiled, templates.looked_up) == (len(fresh), len(fresh))
    assert first == fresh and all(a is b for a, b in zip(again, first, strict=True))
    rendered = get_environment().from_string("{% for i in range(3) %}{{ i * 2 }},{% endfor %}").render({})
    assert rendered == "0,2,4,"


def test_the_file_serves_the_next_process_with_the_same_code(jinja_compile, tmp_path):
    fresh = _compile_all(jinja_compile)
    path = tmp_path / "target" / TEMPLATES_FILE
    first = install(path)
    _compile_all(jinja2.Environment.compile)
    first.save()
    assert path.exists() and not list(path.parent.glob("*.part"))
    jinja2.Environment.compile = jinja_compile  # as a new process starts
    second = install(path)
    assert _compile_all(jinja2.Environment.compile) == fresh
    assert (second.compiled, second.looked_up) == (0, len(fresh))
    written = path.stat().st_mtime_ns
    second.save()  # nothing new: the file is not written again
    assert path.stat().st_mtime_ns == written


def test_environments_that_compile_differently_are_kept_apart(jinja_compile):
    text, native = get_environment(), get_environment(native=True)
    assert environment_key(text) == environment_key(get_environment())  # a new environment of the same kind
    assert environment_key(text) == environment_key(get_environment(capture_macros=True))  # undefined: at run time
    assert environment_key(text) != environment_key(native)
    context_filter = get_environment()
    context_filter.filters["as_text"] = jinja2.pass_context(lambda context, value: value)
    assert environment_key(context_filter) != environment_key(text)
    trimmed = get_environment()
    trimmed.trim_blocks = True
    assert environment_key(trimmed) != environment_key(text)

    install(None)
    source = "{% if true %}\n{{ 'x' | as_text }}\n{% endif %}"
    assert text.from_string(source).render({}) == "\nx\n"
    assert trimmed.from_string(source).render({}) == "x\n"  # not the text environment's code
    assert context_filter.from_string(source).render({}) == "\nx\n"


def test_a_source_that_does_not_compile_fails_each_time_and_is_never_cached(jinja_compile, tmp_path):
    templates = install(tmp_path / TEMPLATES_FILE)
    for _ in range(2):
        with pytest.raises(jinja2.TemplateSyntaxError, match="unknown tag 'endfor'"):
            get_environment().from_string("{% endfor %}")
    assert (templates.compiled, templates.looked_up, templates.used) == (0, 0, {})
    templates.save()
    assert not (tmp_path / TEMPLATES_FILE).exists()


@pytest.mark.parametrize("stored", [
    b"not marshal at all",
    b"",
    marshal.dumps(["a list"]),
    marshal.dumps({"versions": ("another python",), "code": {b"k": compile("1", "<x>", "eval")}}),
    marshal.dumps({"versions": dbt_templates.versions(), "code": "not a dict"}),
])
def test_a_damaged_file_or_one_of_other_versions_is_ignored_and_written_anew(jinja_compile, tmp_path, stored):
    path = tmp_path / TEMPLATES_FILE
    path.write_bytes(stored)
    templates = install(path)
    assert templates.loaded == {}
    assert get_environment().from_string("{{ 6 * 7 }}").render({}) == "42"
    templates.save()
    assert list(CompiledTemplates(path).loaded) == list(templates.used)


def test_the_file_keeps_older_entries_unless_they_outnumber_the_used_ones(tmp_path):
    code = compile("1", "<x>", "eval")
    path = tmp_path / TEMPLATES_FILE
    old = {bytes([n]) * 20: code for n in range(5)}
    path.write_bytes(marshal.dumps({"versions": dbt_templates.versions(), "code": old}))
    templates = CompiledTemplates(path)
    templates.put(b"new-1", code)
    templates.put(b"new-2", code)
    templates.save()
    assert set(CompiledTemplates(path).loaded) == {b"new-1", b"new-2"}  # 7 > 3 x 2: only what this build used

    path.write_bytes(marshal.dumps({"versions": dbt_templates.versions(), "code": dict(list(old.items())[:3])}))
    templates = CompiledTemplates(path)
    assert templates.get(bytes([0]) * 20) is not None
    templates.put(b"new-1", code)
    templates.save()
    assert len(CompiledTemplates(path).loaded) == 4  # 4 <= 3 x 2: the older ones stay


@pytest.mark.parametrize(("arguments", "environment", "expected"), [
    (["build", "--target-path", "/w/.dbt/target", "--log-path", "/w/logs"], {}, "/w/.dbt/target"),
    (["build", "--target-path=/w/t"], {"DBT_TARGET_PATH": "/elsewhere"}, "/w/t"),
    (["build"], {"DBT_TARGET_PATH": "/from/env"}, "/from/env"),
    (["build"], {}, None),
])
def test_the_file_is_in_dbts_target_folder(arguments, environment, expected):
    found = target_path_of(arguments, environment)
    assert (str(found) if found else None) == expected


# the launch's point 6 in a fresh interpreter, as dbt's launch runs: its sibling module, its target folder
LAUNCH_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
import dbt_launch
templates = dbt_launch.compile_templates_once(["build", "--target-path", sys.argv[2]])
from dbt_common.clients.jinja import get_template
print(get_template("{{ 20 + 22 }}", {}).render({}), templates.compiled, templates.looked_up)
templates.save()
"""


def test_the_launch_compiles_into_its_target_folder_and_the_next_launch_looks_up(tmp_path):
    runs = [subprocess.run([sys.executable, "-c", LAUNCH_PROBE, str(REPO_ROOT / "flows"), str(tmp_path / "target")],
                           capture_output=True, text=True, check=True).stdout.strip() for _ in range(2)]
    assert runs == ["42 1 0", "42 0 1"]
    assert (tmp_path / "target" / TEMPLATES_FILE).exists()


def test_a_build_leaves_its_compiled_templates_beside_its_parse(loaded_site):
    """The samples' shared load: every template its dbt build compiled is in its target folder."""
    site, _ = loaded_site
    stored = CompiledTemplates(WarehouseLayout.at(site.warehouse).dbt_work / "target" / TEMPLATES_FILE)
    assert len(stored.loaded) > 500


@pytest.fixture
def type_testers(monkeypatch):
    monkeypatch.setattr(agate_helper, "build_type_tester", agate_helper.build_type_tester)


def test_one_type_tester_per_set_of_text_columns_reads_the_same_table(type_testers):
    rows = [["005", "2026-01-02", 3, "null"], ["", "2026-02-03", 4.5, "x"]]
    columns = ["code", "day", "amount", "note"]
    before = agate_helper.table_from_rows(rows, columns, text_only_columns={"code", "note"})
    one_type_tester_per_kind()
    after = agate_helper.table_from_rows(rows, columns, text_only_columns={"note", "code"})
    assert [type(kind).__name__ for kind in after.column_types] == ["Text", "Date", "Number", "Text"]
    assert [type(kind) for kind in after.column_types] == [type(kind) for kind in before.column_types]
    assert [list(row) for row in after.rows] == [list(row) for row in before.rows]
    assert after.rows[0]["code"] == "005" and after.rows[0]["note"] == "null"  # text stays text
    build = agate_helper.build_type_tester
    assert build(["a", "b"], string_null_values=()) is build(("b", "a"), ())
    assert build(["a"]) is not build(["a"], ())  # other null values, another tester
    assert build(["a"]) is not build(["b"])


def test_a_kept_parse_carries_the_compiled_templates_to_a_new_target_folder(tmp_path):
    first = tmp_path / "a" / "target"
    first.mkdir(parents=True)
    (first / PARTIAL_PARSE).write_bytes(b"parse")
    (first / TEMPLATES_FILE).write_bytes(b"templates")
    kept = tmp_path / "cache" / "parse-0123.msgpack"
    keep_parse(first, kept)
    second, third, own = tmp_path / "b" / "target", tmp_path / "c" / "target", tmp_path / "d" / "target"
    reuse_parse(second, kept)
    reuse_parse_of(third, first)  # the docs site starts from the nightly build's folder
    for target in (second, third):
        assert [(target / name).read_bytes() for name in (PARTIAL_PARSE, TEMPLATES_FILE)] == [b"parse", b"templates"]
    own.mkdir(parents=True)
    (own / TEMPLATES_FILE).write_bytes(b"its own")
    reuse_parse(own, kept)
    assert (own / TEMPLATES_FILE).read_bytes() == b"its own" and (own / PARTIAL_PARSE).read_bytes() == b"parse"


# the launch's point 8 in a fresh interpreter (it changes dbt's classes): dbt's context maker and
# runner replaced by stand-ins first, so that the launch wraps them as it wraps dbt's own
CONTEXT_PROBE = """
import sys, threading
sys.path.insert(0, sys.argv[1])
import dbt_launch
from dbt.context.manifest import ManifestContext
from dbt.task.base import BaseRunner

made = []
def to_dict(self):
    context = {"macro": "a callable"}
    context["context"] = context  # a cycle, as dbt's own
    made.append(context)
    return context
def compile_and_execute(self, manifest, ctx):
    first, second = ManifestContext.to_dict(None), ManifestContext.to_dict(None)
    if ctx == "fails":
        raise RuntimeError("the node failed")
    return (len(first), len(second))
ManifestContext.to_dict, BaseRunner.compile_and_execute = to_dict, compile_and_execute
dbt_launch.free_node_contexts()
class Runner(BaseRunner):
    def __init__(self):
        pass
    def compile(self, manifest):
        pass
runner = Runner()
outside = ManifestContext.to_dict(None)  # a context made outside a node: kept
print("result", runner.compile_and_execute(None, "runs"), [len(c) for c in made])
try:
    runner.compile_and_execute(None, "fails")
except RuntimeError as failed:
    print("raised", failed, [len(c) for c in made])
ready, go = threading.Event(), threading.Event()
def other_thread():
    ManifestContext.to_dict(None)  # while this thread's node runs: not its context
    ready.set()
    go.wait()
def runs_while_the_other_makes_one(self, manifest, ctx):
    mine = ManifestContext.to_dict(None)
    thread = threading.Thread(target=other_thread)
    thread.start()
    ready.wait()
    return thread
BaseRunner.compile_and_execute = runs_while_the_other_makes_one
dbt_launch.free_node_contexts()
thread = runner.compile_and_execute(None, "runs")
go.set()
thread.join()
print("threads", [len(c) for c in made[-2:]])
"""


def test_a_nodes_contexts_are_emptied_once_it_ran_and_no_others():
    shown = subprocess.run([sys.executable, "-c", CONTEXT_PROBE, str(REPO_ROOT / "flows")], capture_output=True,
                           text=True, check=True).stdout.splitlines()
    assert shown == ["result (2, 2) [2, 0, 0]",  # made inside the run, emptied after; the one outside kept
                     "raised the node failed [2, 0, 0, 0, 0]",  # a failed node's too
                     "threads [0, 2]"]  # this thread's node's context, not the other thread's
