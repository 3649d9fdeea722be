"""The templates the corpus is made from: what the generator believes about each sample line
agrees with the hand-checked gold, and page breaks only move where the samples allow."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from bench.templates import POST, PRE, TargetTemplate, load_templates

GOLD_PATH = Path(__file__).resolve().parents[1] / "fixtures" / "seeds_gold.json"


@pytest.fixture(scope="module")
def templates():
    return load_templates()


@pytest.fixture(scope="module")
def targets(templates) -> list[TargetTemplate]:
    return [t for t in templates.by_name.values() if isinstance(t, TargetTemplate)]


def test_template_counts_equal_the_gold(targets):
    gold = json.loads(GOLD_PATH.read_text(encoding="utf-8"))
    indicators, budget_lines = Counter(), Counter()
    for template in targets:
        indicators[template.source] += template.indicator_rows
        budget_lines[template.source] += template.budget_lines
    for name, body in gold.items():
        prefix = name[:3]
        if name.startswith("_") or prefix not in indicators:
            continue
        assert indicators[prefix] == body["counts"]["indicator_rows"], name
        assert budget_lines[prefix] == body["counts"]["budget_lines"], name


def test_sixteen_forms_are_templates(templates):
    assert len(templates.by_name) == 16
    assert sorted({t.source for t in templates.by_name.values()}) == ["000", "001", "002", "003", "004"]


def test_breaks_that_caused_a_quirk_stay(targets):
    """001 (效益指标 printed after its break), 004 project 1 (决策 printed after its break) and
    project 11 (row shifted left after its break) keep their break; the others may move."""
    pinned = sorted(t.name for t in targets for table in t.tables
                    if table.template_break is not None and table.break_pinned)
    assert pinned == ["001#1", "004#1", "004#11"]


def test_duty_tables_never_get_a_break(targets):
    duty = [table for t in targets for table in t.tables if table.is_duty]
    assert duty and all(table.break_pinned and table.template_break is None for table in duty)


def test_rows_after_a_break_drop_the_headers_empty_columns(targets):
    table = next(t for t in targets if t.name == "004#6").tables[0]  # 7-cell rows, empty col 4
    row = table.rows[0]
    assert len(row.pre) == 7 and len(row.post) == 5
    assert [c for c in row.pre if c.strip()] == [c for c in row.post if c.strip()]
    assert set(row.layout) == {PRE, POST}


def test_a_shifted_row_rules_out_breaks_before_it(targets):
    """003's 预算编制/机构建设 rows print the 三级 name in a column its header leaves empty: they
    cannot be printed the after-break way, so no break may precede them."""
    table = next(t for t in targets if t.name == "003#1").tables[0]
    shifted = [index for index, row in enumerate(table.rows) if row.post is None]
    assert shifted
    assert all(p > max(shifted) for p in table.valid_breaks)
