"""`extract/` stays pure: file in, rows and issues out (issue 11, item 5).

No module of the extractor imports the orchestration (flows, Prefect, Dask), the checks
(expectations), processes or signals, or writes to the file system: the inbox listing, the
process pool, the cache and the landing of the staging CSVs live in flows/. Each module is
parsed with `ast`, so a forbidden import inside a function or under a condition counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EXTRACT = REPO / "extract"
EXTRACT_MODULES = sorted(path for path in EXTRACT.rglob("*.py") if "__pycache__" not in path.parts)

# a module is forbidden with all its submodules (`prefect` forbids `prefect.schedules`)
FORBIDDEN_IMPORTS = (
    "flows", "expectations",  # the orchestration and the checks depend on the extractor, not the reverse
    "prefect", "prefect_dask", "dask", "distributed",  # orchestration frameworks
    "multiprocessing", "concurrent.futures", "subprocess", "signal",  # processes and signals
    "shutil", "tempfile",  # copying and writing files
)
# os functions that change the file system (os.open too: it creates and truncates)
OS_WRITES = frozenset({"replace", "rename", "renames", "remove", "unlink", "rmdir", "removedirs", "mkdir",
                       "makedirs", "link", "symlink", "truncate", "write", "open", "chmod", "chown", "utime"})
# methods that change the file system whatever they are called on (pathlib.Path's)
WRITE_METHODS = frozenset({"write_text", "write_bytes", "mkdir", "touch", "unlink", "rmdir", "rename",
                           "symlink_to", "hardlink_to", "chmod"})
WRITE_MODE = frozenset("wax+")


def _forbidden(module: str) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in FORBIDDEN_IMPORTS)


def _imported(node: ast.AST) -> list[str]:
    """The modules an import statement (or `importlib.import_module("…")`/`__import__("…")`
    with a literal name) may load; `from a import b` may load `a.b`."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level or not node.module:
            return []  # relative: a module of the extractor itself
        return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    if (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str) and _called(node) in ("importlib.import_module", "__import__")):
        return [node.args[0].value]
    return []


def _called(call: ast.Call) -> str:
    """`name`, `owner.name` or `.name` (a method of anything else) for a call."""
    function = call.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        owner = function.value
        return f"{owner.id}.{function.attr}" if isinstance(owner, ast.Name) else f".{function.attr}"
    return ""


def _open_mode(call: ast.Call, position: int) -> str:
    """The literal mode an `open` call is given (positional or `mode=`), '' when none is."""
    values = [keyword.value for keyword in call.keywords if keyword.arg == "mode"]
    if len(call.args) > position:
        values.append(call.args[position])
    return next((value.value for value in values if isinstance(value, ast.Constant)
                 and isinstance(value.value, str)), "")


def _writes(call: ast.Call) -> bool:
    called = _called(call)
    owner, _, name = called.rpartition(".")
    if owner == "os":
        return name in OS_WRITES
    if name == "open":  # open(file, mode) and io.open(file, mode); Path.open(mode)
        return bool(WRITE_MODE & set(_open_mode(call, 1 if called in ("open", "io.open") else 0)))
    return name in WRITE_METHODS


def impurities(source: str) -> list[str]:
    """What makes a module impure: `line N: imports X`, `line N: writes files (call)`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        found += [f"line {node.lineno}: imports {module}" for module in _imported(node) if _forbidden(module)]
        if isinstance(node, ast.Call) and _writes(node):
            found.append(f"line {node.lineno}: writes files ({_called(node)})")
    return sorted(set(found), key=lambda text: (int(text.split()[1].rstrip(":")), text))


def test_the_extractor_modules_are_all_found():
    names = {path.relative_to(EXTRACT).as_posix() for path in EXTRACT_MODULES}
    assert {"pipeline.py", "records.py", "rendering.py", "file_rows.py", "readers/pdf.py"} <= names
    assert len(names) >= 25


@pytest.mark.parametrize("path", EXTRACT_MODULES, ids=lambda path: path.relative_to(EXTRACT).as_posix())
def test_no_extractor_module_imports_orchestration_or_writes_files(path: Path):
    assert impurities(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_every_way_in():
    source = '''
import os, signal
import concurrent.futures as cf
from concurrent import futures
from multiprocessing.pool import Pool
from flows.pool import ProcessPool
from . import cells
from extract.records import columns
import importlib


def later(path):
    import prefect
    importlib.import_module("expectations.document_gate")
    with open(path, "w") as out, path.open("ab") as more, open(path) as readable, path.open() as also:
        os.replace(path, path)
        path.write_text("x")
        path.with_suffix(".csv").unlink()
        " a ".replace(" ", "")
'''
    assert impurities(source) == [
        "line 2: imports signal",
        "line 3: imports concurrent.futures",
        "line 4: imports concurrent.futures",
        "line 5: imports multiprocessing.pool",
        "line 5: imports multiprocessing.pool.Pool",
        "line 6: imports flows.pool",
        "line 6: imports flows.pool.ProcessPool",
        "line 13: imports prefect",
        "line 14: imports expectations.document_gate",
        "line 15: writes files (open)",
        "line 15: writes files (path.open)",
        "line 16: writes files (os.replace)",
        "line 17: writes files (path.write_text)",
        "line 18: writes files (.unlink)",
    ]


@pytest.mark.parametrize(("module", "expected"), [
    ("flows/pool.py", ["imports concurrent.futures", "imports multiprocessing", "imports signal"]),
    ("flows/quarantine.py", ["imports shutil", "writes files (os.link)"]),
    ("flows/landing.py", ["imports tempfile", "writes files (os.replace)"]),
    ("flows/incremental.py", ["imports expectations.document_gate", "imports flows.landing"]),
    ("flows/cli.py", ["imports signal", "imports flows.extraction"]),
])
def test_the_code_moved_out_of_the_extractor_would_fail_it(module: str, expected: list[str]):
    found = [text.split(": ", 1)[1] for text in impurities((REPO / module).read_text(encoding="utf-8"))]
    assert set(expected) <= set(found), found
