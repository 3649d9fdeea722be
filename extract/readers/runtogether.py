"""Indicator rows whose cells were saved run together on one line, with no separator at all
(`产出指标数量指标足额保障率=100% 22.5 科目调整次数≤10次 22.5 …`, or a page that lost its table
into prose: `產出目標數量目標當年人才驛站組織活動數量>=28次40次143%…`).

The cells are told apart by what they are, not by where they sit:
* a level label is a label of the taxonomy seed (matched in simplified form);
* a 三级 name runs up to the comparator that opens its value (`=`, `≥`, `>=` …);
* the target is the comparator, a number and the unit up to the next digit or space;
* then, where the header words printed before the rows name them (seed table_column_roles), an
  actual value (a number and its unit) and a completion rate (`143%`, a 累计完成率 column, kind
  completion_rate); else a weight after a space.
A row that does not read this way ends the table. The rows come back as a table whose header
row names the columns found; the reader warns that it split run-together cells.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from extract.column_roles import INDICATOR, load_vocabulary
from extract.form_labels import load_form_labels
from extract.readers.model import Cell, Paragraph, ReaderWarning, Table
from extract.script_forms import simplified_in_place
from extract.taxonomy import load_taxonomy

_COMPARATOR = r"(?:>=|<=|≥|≤|＞＝|＜＝|=|＝|>|<|＞|＜)"
_TARGET = re.compile(_COMPARATOR + r"\s*\d+(?:\.\d+)?[^\d\s]{0,6}?(?=[\d\s]|$)")
_ACTUAL = re.compile(r"\d+(?:\.\d+)?(?:%|[^\d\s%]{0,6}?)(?=\d)")
# A character every comparator holds: a text without one holds no target, so no row (the
# simplified form the rows are matched in changes Chinese characters only, never these)
_COMPARATOR_CHAR = re.compile(r"[=<>≥≤＝＜＞]")
_RATE = re.compile(r"\d+(?:\.\d+)?%")
_WEIGHT = re.compile(r"\s+(\d+(?:\.\d+)?)\s*")
_NUMBER = re.compile(r"\s*(\d+(?:\.\d+)?)")
_MAX_NAME = 60
_MIN_ROWS = 2


@lru_cache(maxsize=1)
def _labels() -> re.Pattern[str]:
    """Every level label of the taxonomy (simplified, no spaces), longest first."""
    taxonomy = load_taxonomy()
    words = sorted({*taxonomy.level1_variants, *taxonomy.level2_parents}, key=len, reverse=True)
    return re.compile("|".join(re.escape(word) for word in words if len(word) > 1))


@dataclass(frozen=True, slots=True)
class RunTogether:
    header: list[str]
    rows: list[list[str]]
    tail: str = ""  # the text after the rows (and their total): prose the form goes on with
    n_indicators: int = 0  # rows that are indicators (the printed total row is not one)


def split_run_together(text: str) -> RunTogether | None:
    """The indicator rows of a line of run-together cells, or None when it holds none. Asked of
    every paragraph of a text without a table, so one that holds no comparator is let go
    before it is simplified and searched for labels."""
    if _COMPARATOR_CHAR.search(text) is None:
        return None
    simple = simplified_in_place(text)  # glosses kept: they only occur in prose
    labels = _labels()
    taxonomy = load_taxonomy()
    start = next((m for m in labels.finditer(simple) if taxonomy.level1_of(m.group())), None)
    if start is None:
        return None
    before = simple[:start.start()]
    vocabulary = load_vocabulary()
    named = {role.role for word in ("实际完成值", "完成值") if word in before
             and (role := vocabulary.role_of(INDICATOR, word)) is not None}
    with_actual = "value" in named
    with_rate = with_actual and "完成率" in before
    pos, pending, rows = start.start(), [], []
    while pos < len(text):
        label = labels.match(simple, pos)
        if label is not None:
            pending.append(text[label.start():label.end()])
            pos = label.end()
            continue
        target = _TARGET.search(simple, pos, pos + _MAX_NAME + 12)
        if target is None or target.start() == pos or target.start() - pos > _MAX_NAME:
            break
        row = {"labels": pending[-2:], "name": text[pos:target.start()].strip(),
               "target": text[target.start():target.end()]}
        pos = target.end()
        if with_actual and (actual := _ACTUAL.match(simple, pos)) is not None:
            row["actual"], pos = text[actual.start():actual.end()], actual.end()
            if with_rate and (rate := _RATE.match(simple, pos)) is not None:
                row["rate"], pos = text[rate.start():rate.end()], rate.end()
        elif (weight := _WEIGHT.match(text, pos)) is not None:
            row["weight"], pos = weight.group(1), weight.end()
        rows.append(row)
        pending = []
    if len(rows) < _MIN_ROWS:
        return None
    total = _total_after(simple, pos)
    end = total[2] if total is not None else pos
    extra = (["实际完成值", *(["累计完成率"] if with_rate else [])] if with_actual
             else (["权重"] if any("weight" in r for r in rows) else []))
    header = ["一级指标", "二级指标", "三级指标", "指标值", *extra]
    out = []
    for row in rows:
        levels = list(row["labels"])
        levels = ([""] * (2 - len(levels)) + levels) if len(levels) < 2 or taxonomy.level1_of(levels[0]) else levels
        if len(levels) == 1:
            levels = ["", *levels]
        cells = [*levels[-2:], row["name"], row["target"]]
        if with_actual:
            cells += [row.get("actual", ""), *([row.get("rate", "")] if with_rate else [])]
        elif extra:
            cells.append(row.get("weight", ""))
        out.append(cells)
    if total is not None:  # `合计100` after the rows: the table's printed total, under its last column
        out.append([total[0], *[""] * (len(header) - 2), total[1]])
    return RunTogether(header, out, text[end:].strip(), len(rows))


def _total_after(simple: str, pos: int) -> tuple[str, str, int] | None:
    """A printed total right after the last row (`合计100`, a total label of seed form_labels
    and a number), as (label, number, where the text goes on)."""
    start = len(simple) - len(simple[pos:].lstrip())
    rest = simple[start:]
    for label in load_form_labels().total_rows:
        if rest.startswith(label) and (number := _NUMBER.match(rest, len(label))) is not None:
            return label, number.group(1), start + number.end()
    return None


def run_together_table(text: str, line: int) -> tuple[Table, ReaderWarning, Paragraph | None] | None:
    """The rows as a table, the reader's warning, and the text after them as a paragraph (a
    page's prose goes on after its table: 宁德's funding sentence is there)."""
    found = split_run_together(text)
    if found is None:
        return None
    grid = [tuple(Cell(word, 0, col, 1, 1, f"L{line}", line) for col, word in enumerate(found.header))]
    for r, row in enumerate(found.rows, start=1):
        grid.append(tuple(Cell(cell, r, col, 1, 1, f"L{line}", line) for col, cell in enumerate(row)))
    table = Table(rows=tuple(grid), n_cols=len(found.header), source_ref=f"L{line}")
    warning = ReaderWarning(f"L{line}", "cells_run_together",
                            f"{found.n_indicators} indicator rows split from cells printed with no separator; "
                            "the header row names the columns found")
    return table, warning, Paragraph(found.tail, f"L{line}", line) if found.tail else None
