"""Jinja templates compiled once, in a dbt process and from one build to the next.

dbt turns Jinja into Python as it goes: each node's SQL when it compiles the node, each test's
arguments, each macro the first time a process calls it, each through `Environment.compile`
(lex, parse, generate Python source, compile that). It keeps nothing of it: every test of one
kind (`{{ test_not_null(**_dbt_generic_test_kwargs) }}`) is compiled again, and every build
compiles the same models and macros as the last. A 425-node build of the samples compiled
1 181 times, 605 distinct sources, 1.3 s of its ~15 s of CPU (2026-12-03).

`install` makes `Environment.compile` look the result up first: in memory, by the source, the
template's name and file name and the environment's whole compile-time configuration (its
class, code generator, extensions, lexer settings, filters and tests by name and by the context
they take: everything the generated code depends on), and in a file of compiled code objects
(marshal) that the last build in this target folder wrote (`save`). The file is only read by
the same Python, Jinja, dbt and dbt-common versions that wrote it; an unreadable one is ignored
and written anew. What is cached is what `compile` returned for the same key, so a template
renders as it did: a source that fails to compile is never cached and fails as before.
flows/dbt_launch.py point 6 installs it; flows/build.py keeps the file with dbt's parse.
"""

from __future__ import annotations

import hashlib
import importlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

TEMPLATES_FILE = "perfbudget_templates.marshal"
# The file keeps the entries of its last build and older ones while they are at most this many
# times as many as that build used; more, and it keeps only that build's (a project whose models
# changed a lot drops what it no longer compiles).
KEEP_UNUSED_FACTOR = 3

_LEXER_SETTINGS = ("block_start_string", "block_end_string", "variable_start_string", "variable_end_string",
                   "comment_start_string", "comment_end_string", "line_statement_prefix", "line_comment_prefix",
                   "trim_blocks", "lstrip_blocks", "newline_sequence", "keep_trailing_newline")


def versions() -> tuple[str, ...]:
    """What compiled code objects are valid for: the Python that marshals them and the code that
    generates them."""
    packages = tuple(_version(module, name) for module, name in VERSIONED)
    return (sys.version, str(marshal.version), *packages)


# the modules whose version the generated code depends on, and the name each keeps it under (read
# from the modules, which a dbt process has imported: the package metadata takes ~50 ms to read)
VERSIONED = (("jinja2", "__version__"), ("dbt.__version__", "version"), ("dbt_common.__about__", "version"))


def _version(module: str, name: str) -> str:
    try:
        return str(getattr(importlib.import_module(module), name))
    except (ImportError, AttributeError):
        return ""


def _name_of(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return repr(value)
    kind = value if isinstance(value, type) else type(value)
    name = getattr(value, "__qualname__", None) or kind.__qualname__
    return f"{getattr(value, '__module__', kind.__module__)}.{name}"


def _passes(functions: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Each filter or test by name and by what it is passed (context, eval context, environment):
    the generated call differs."""
    return tuple(sorted((name, str(getattr(function, "jinja_pass_arg", ""))) for name, function in functions.items()))


def environment_key(environment: Any) -> tuple:
    """Everything of an environment that the code `compile` generates depends on."""
    autoescape = environment.autoescape
    finalize = environment.finalize
    return (_name_of(type(environment)), _name_of(environment.code_generator_class),
            tuple(sorted(environment.extensions)),
            tuple(getattr(environment, setting) for setting in _LEXER_SETTINGS),
            environment.optimized, environment.is_async, environment.sandboxed,
            tuple(sorted(getattr(environment, "intercepted_binops", ()))),
            tuple(sorted(getattr(environment, "intercepted_unops", ()))),
            autoescape if isinstance(autoescape, bool) else _name_of(autoescape),
            None if finalize is None else (_name_of(finalize), str(getattr(finalize, "jinja_pass_arg", ""))),
            _passes(environment.filters), _passes(environment.tests))


class CompiledTemplates:
    """Compiled template code by key: what this process compiled or looked up, and what the file
    it started from held."""

    def __init__(self, path: Path | None = None):
        self.path = path
        self.loaded: dict[bytes, CodeType] = self._read(path) if path is not None else {}
        self.used: dict[bytes, CodeType] = {}
        self.compiled = 0  # compilations this process could not look up
        self.looked_up = 0

    @staticmethod
    def _read(path: Path) -> dict[bytes, CodeType]:
        try:
            stored = marshal.loads(path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            return {}
        if not isinstance(stored, dict) or stored.get("versions") != versions():
            return {}
        code = stored.get("code")
        return code if isinstance(code, dict) else {}

    @staticmethod
    def key(environment: Any, source: str, name: str | None, filename: str | None, defer_init: bool) -> bytes:
        text = repr((environment_key(environment), source, name, filename, defer_init))
        return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=20).digest()

    def get(self, key: bytes) -> CodeType | None:
        code = self.used.get(key)
        if code is None:
            code = self.loaded.get(key)
            if code is not None:
                self.used[key] = code
        if code is not None:
            self.looked_up += 1
        return code

    def put(self, key: bytes, code: CodeType) -> None:
        self.compiled += 1
        self.used[key] = code

    def save(self) -> None:
        """Write the file anew (whole, then renamed in) when this process compiled anything."""
        if self.path is None or not self.compiled:
            return
        kept = {**self.loaded, **self.used}
        if len(kept) > KEEP_UNUSED_FACTOR * len(self.used):
            kept = dict(self.used)
        partial = self.path.with_name(f"{self.path.name}.{os.getpid()}.part")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(marshal.dumps({"versions": versions(), "code": kept}))
            os.replace(partial, self.path)
        except OSError:  # a cache: the build does not fail for it
            partial.unlink(missing_ok=True)


def install(path: Path | None) -> CompiledTemplates:
    """Have every Jinja environment of this process compile a template source once (module doc),
    starting from the file at `path` (None: this process only). Returns the cache, to `save`."""
    import jinja2

    templates = CompiledTemplates(path)
    compile_source = jinja2.Environment.compile

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if raw or not isinstance(source, str) or _macro_debugging():
            return compile_source(self, source, name, filename, raw, defer_init)
        key = templates.key(self, source, name, filename, defer_init)
        code = templates.get(key)
        if code is None:
            code = compile_source(self, source, name, filename, raw, defer_init)
            templates.put(key, code)
        return code

    jinja2.Environment.compile = compile
    return templates


def _macro_debugging() -> bool:
    """dbt's macro debugging writes each compiled template's Python where a debugger finds it, as
    it compiles: those compile as dbt does."""
    jinja = sys.modules.get("dbt_common.clients.jinja")
    return bool(getattr(jinja, "MACRO_DEBUGGING", False))


def target_path_of(arguments: list[str], environment: dict[str, str] | os._Environ) -> Path | None:
    """dbt's target folder for these arguments: `--target-path`, else $DBT_TARGET_PATH; None when
    neither is given (then nothing is written)."""
    for index, argument in enumerate(arguments):
        if argument == "--target-path" and index + 1 < len(arguments):
            return Path(arguments[index + 1])
        if argument.startswith("--target-path="):
            return Path(argument.split("=", 1)[1])
    folder = environment.get("DBT_TARGET_PATH")
    return Path(folder) if folder else None
