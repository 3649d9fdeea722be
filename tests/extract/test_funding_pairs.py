"""Funding printed as label/amount pairs (Shanghai's grid: `项目资金总额 | 10,308,000.00 | 年度资金申请总额 |
3,498,000.00`, then `其中：财政资金`, `其中：当年财政拨款`, `上年结转资金`, `其他资金`) is where the
project's money comes from: every line is income, a component sits under the total of its phase,
and the seed budget_categories maps each label to its category."""

from __future__ import annotations

import csv
from pathlib import Path

from extract.cells import squash
from extract.pipeline import FileExtraction, extract_file
from tests.extract.test_specimens import extract_specimen, grid_html

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def lines_of(result: FileExtraction) -> list[tuple[str, str, str, str, str]]:
    """(direction, label, parent label, phase, amount) of each funding line, in form order."""
    amounts = {a.line_seq: (a.phase, a.amount_raw) for a in result.budget_amounts}
    return [(b.direction, b.label_raw, b.parent_label_raw, *amounts[b.line_seq]) for b in result.budget_lines]


def test_shanghai_grid_funding_is_income_with_each_component_under_its_total():
    result = extract_file("chaiwei.html", grid_html("shanghai_putuo_cgj_chaiwei_2026_project_target_TABLEGRID.json"))
    assert lines_of(result) == [
        ("income", "项目资金总额", "", "project_total", "10,308,000.00"),
        ("income", "年度资金申请总额", "", "annual_budget", "3,498,000.00"),
        ("income", "其中：财政资金", "项目资金总额", "project_total", "10,308,000.00"),
        ("income", "其中：当年财政拨款", "年度资金申请总额", "annual_budget", "3,498,000.00"),
        ("income", "上年结转资金", "年度资金申请总额", "annual_budget", "0.00"),
        ("income", "其他资金", "项目资金总额", "project_total", "0.00"),
        ("income", "其他资金", "年度资金申请总额", "annual_budget", "0.00")]
    assert "funding_phase_unsure" not in {i.code for i in result.issues}


def test_shanghai_grid_and_text_layer_give_the_same_lines():
    """One fragment per line: the columns that tell the two totals' components apart are lost.
    The seed names 当年财政拨款 and 上年结转资金 as the year's, the second 其他资金 takes the second
    total's phase, and the block warns that the phases were guessed."""
    grid = extract_file("chaiwei.html", grid_html("shanghai_putuo_cgj_chaiwei_2026_project_target_TABLEGRID.json"))
    text = extract_specimen("shanghai_putuo_cgj_chaiwei_2026_project_target_PDFTEXT.txt")
    assert lines_of(text) == lines_of(grid)
    unsure = [i for i in text.issues if i.code == "funding_phase_unsure"]
    assert [(i.severity, i.source_line) for i in unsure] == [("warning", 26)]


def test_dongguan_pairs_are_income_totals_of_their_phases():
    result = extract_specimen("dongguan_jtj_road_2019_project_target_FRAGMENT.txt")
    assert lines_of(result) == [
        ("income", "中期市财政预算(万元)", "", "mid_term_budget", "284500.00"),
        ("income", "本年度申请市财政预算资金(万元)", "", "annual_budget", "919.00")]


def _category_of() -> dict[tuple[str, str], str]:
    """(label key, direction) → category, keyed as dbt's pb_name_key keys a label (no spaces, ASCII
    parentheses, no '|')."""
    out = {}
    with (SEEDS / "budget_categories.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for variant in [row["category"], *row["variants"].split("|")]:
                out.setdefault((squash(variant).replace("|", ""), row["direction"]), row["category"])
    return out


def test_every_pair_label_of_the_specimens_has_its_income_category_in_the_seed():
    categories = _category_of()
    want = {
        "项目资金总额": "资金总额", "年度资金申请总额": "资金总额", "中期市财政预算(万元)": "资金总额",
        "本年度申请市财政预算资金(万元)": "资金总额", "其中：财政资金": "财政拨款小计",
        "其中：当年财政拨款": "财政拨款小计", "上年结转资金": "上年结转资金", "其他资金": "其他资金",
        "其中：上年结转资金": "上年结转资金", "其中：其他资金": "其他资金"}
    got = {label: categories.get((squash(label), "income")) for label in want}
    assert got == want
