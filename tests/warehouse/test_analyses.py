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
