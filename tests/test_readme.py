"""The README's commands exist as shown: every `.venv/bin/perfbudget …` line of its shell blocks
parses with the real command line (its optional `[…]` parts included), and every `make X` it
shows is a Makefile target. (Its SQL is tested in tests/warehouse/test_analyses.py, its run
summary in tests/flows/test_nightly_load.py.)"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from flows.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")
SHELL_LINES = [line.strip() for block in re.findall(r"```sh\n(.*?)```", README, flags=re.DOTALL)
               for line in block.splitlines() if line.strip()]


def perfbudget_lines() -> list[str]:
    lines = [line for line in SHELL_LINES if line.startswith(".venv/bin/perfbudget")]
    lines += [re.search(r"= (\.venv/bin/perfbudget .*)$", line).group(1) for line in SHELL_LINES
              if line.startswith("make ") and "= .venv/bin/perfbudget" in line]
    return lines


def test_the_readme_shows_every_verb():
    verbs = {shlex.split(line.split("#")[0])[1] for line in perfbudget_lines()}
    assert verbs >= {"extract", "run", "serve", "builds", "rollback", "docs", "--version"}


@pytest.mark.parametrize("line", perfbudget_lines())
def test_perfbudget_line_parses(line):
    words = shlex.split(line.split("  #")[0].split(" # ")[0])[1:]
    flat = [word.strip("[]") for word in words]  # `[--warehouse data/warehouse]` as given
    if flat == ["--version"]:
        with pytest.raises(SystemExit) as done:
            build_parser().parse_args(flat)
        assert done.value.code == 0
        return
    args = build_parser().parse_args(flat)
    assert callable(args.run)


@pytest.mark.parametrize("target", sorted({line.split()[1] for line in SHELL_LINES if line.startswith("make ")}))
def test_make_target_exists(target):
    assert re.search(rf"^{target}:", (REPO / "Makefile").read_text(encoding="utf-8"), flags=re.MULTILINE)
