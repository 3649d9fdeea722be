"""The quality report of a run (expectations/report.py): a static page per gate stage and a run
index, small, with file names safe on every OS, that lists its results in a browser with no
network (Great Expectations' own Data Docs list nothing offline: their index is drawn by scripts
from a CDN)."""

from __future__ import annotations

from pathlib import Path

from lxml import html as lxml_html

from expectations.report import render_run_index, render_stage_page
from expectations.runner import CheckOutcome
from tests.browser import dump_dom

OUTCOMES = [
    CheckOutcome("marts", "marts.fact_indicator", "fact_indicator", "expect_column_values_to_be_in_set", "level1",
                 False, "2 unexpected, e.g. ['产出<指标>', '效益']", 2),
    CheckOutcome("marts", "marts.dim_unit", "dim_unit", "expect_column_values_to_be_unique", "unit_key",
                 True, "0 unexpected", 0),
    CheckOutcome("marts", "marts.dim_unit", "dim_unit", "expect_table_row_count_to_be_between", "",
                 True, "observed 5", None),
]


def table_rows(page: Path) -> list[list[str]]:
    tree = lxml_html.fromstring(page.read_bytes())
    rows = tree.xpath("//table[@id='results']/tbody/tr")
    return [[cell.text_content() for cell in row.findall("td")] for row in rows]


def test_stage_page_lists_every_check_failures_first_escaped(tmp_path):
    page = render_stage_page("marts", OUTCOMES, tmp_path / "marts")
    assert page == tmp_path / "marts" / "index.html"
    assert table_rows(page) == [
        ["fail", "marts.fact_indicator", "fact_indicator", "level1", "expect_column_values_to_be_in_set",
         "2 unexpected, e.g. ['产出<指标>', '效益']"],
        ["pass", "marts.dim_unit", "dim_unit", "", "expect_table_row_count_to_be_between", "observed 5"],
        ["pass", "marts.dim_unit", "dim_unit", "unit_key", "expect_column_values_to_be_unique", "0 unexpected"],
    ]
    text = page.read_text(encoding="utf-8")
    assert "3 checks" in text and "1 failed" in text
    assert "<script" not in text and "http" not in text  # nothing to fetch


def test_run_index_links_the_stages_it_has(tmp_path):
    render_stage_page("staging", OUTCOMES[1:], tmp_path / "run" / "staging")
    index = render_run_index(tmp_path / "run", "20261201T020000Z-1a2b3c")
    tree = lxml_html.fromstring(index.read_bytes())
    assert tree.xpath("//a/@href") == ["staging/index.html"]
    assert "20261201T020000Z-1a2b3c" in tree.findtext(".//h1")


def test_the_report_opens_offline_in_a_headless_browser_with_its_results(tmp_path):
    render_stage_page("marts", OUTCOMES, tmp_path / "run" / "marts")
    index = render_run_index(tmp_path / "run", "20261201T020000Z-1a2b3c")
    # the marts page itself, and the run index, as the browser renders them with no network
    marts = lxml_html.fromstring(dump_dom((tmp_path / "run" / "marts" / "index.html").as_uri(), tmp_path / "p"))
    rendered = [[c.text_content() for c in row.findall("td")] for row in marts.xpath("//tbody/tr")]
    assert [row[0] for row in rendered] == ["fail", "pass", "pass"]
    assert rendered[0][5] == "2 unexpected, e.g. ['产出<指标>', '效益']"
    run_index = lxml_html.fromstring(dump_dom(index.as_uri(), tmp_path / "p"))
    assert run_index.xpath("//a/@href") == ["marts/index.html"]
