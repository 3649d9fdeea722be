"""analyses/analyst_questions.sql: every `-- name:` block runs with plain duckdb on the built file."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from tests.warehouse.conftest import REPO

QUESTIONS = REPO / "analyses" / "analyst_questions.sql"


def questions() -> dict[str, str]:
    text = QUESTIONS.read_text(encoding="utf-8")
    blocks = re.split(r"^-- name: *", text, flags=re.MULTILINE)[1:]
    return {block.split("\n", 1)[0].strip(): block.split("\n", 1)[1] for block in blocks}


def test_at_least_six_plain_sql_questions():
    found = questions()
    assert len(found) >= 6
    assert "{{" not in QUESTIONS.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(questions()))
def test_question_runs_and_returns_rows(con, name):
    result = con.execute(questions()[name]).fetchall()
    assert result, name


def test_funding_question_answers_with_the_sample_figures(con):
    result = con.execute(questions()["unit_total_funds_and_sources"]).fetchall()
    assert result[0][:4] == ("南京江北新区产业技术研创园管理办公室（本级）", 2026, 1, Decimal("83300"))


def test_reconciliation_question_lists_the_two_failures_first(con):
    result = con.execute(questions()["funding_sums_that_do_not_add_up"]).fetchall()
    assert [(row[0], row[3], row[-1]) for row in result[:2]] == [
        ("000_17c09d71274dbf64.txt", "I1", "fail"), ("003_e524e1605217447e.txt", "E2", "fail")]


def readme_questions() -> list[tuple[str, int, str]]:
    """(name, rows the README says the samples give, SQL) of each README query."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"`-- name: (\w+)` \((\d+) rows? on the samples\)\s*```sql\n(.*?)```", text, flags=re.DOTALL)
    return [(name, int(count), sql) for name, count, sql in found]


def squashed(sql: str) -> str:
    """The SQL without comment lines, semicolons and layout."""
    lines = [line for line in sql.splitlines() if not line.lstrip().startswith("--")]
    return " ".join(" ".join(lines).replace(";", " ").split())


def test_readme_queries_are_the_tested_ones_and_give_the_rows_it_says(con):
    """The README's analyst queries are the blocks of analyses/analyst_questions.sql, word for
    word, and return on the samples the number of rows the README states."""
    shown = readme_questions()
    assert len(shown) >= 6
    tested = questions()
    for name, count, sql in shown:
        assert squashed(sql) == squashed(tested[name]), name
        assert len(con.execute(tested[name]).fetchall()) == count, name
