"""Report fact keys are matched as bare strings in three places: the extractor gives them
(extract/report_facts.py, the printed totals of extract/pipeline.py), seed budget_categories
maps the money ones to categories (its `variants`), and the models pick keys by name. Nothing
else ties them together, so this test does: every key a seed or a model asks for is one the
extractor can give, and every funding fact (income_*, expenditure_*, budget_initial) has its
category in the seed."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from extract import pipeline, report_facts

REPO = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
COMPARED = re.compile(r"\b(?:base_)?fact_key\s*(?:=|<>|!=)\s*'([a-z0-9_]+)'")
LISTED = re.compile(r"\b(?:base_)?fact_key\s+in\s*\(([^)]*)\)")
MEASURE = re.compile(r"\('([a-z0-9_]+)', '[a-z0-9_]+', '(?:count|money)'\)")


def extractor_keys() -> set[str]:
    keys = {label.fact_key for label in report_facts.LABELS}
    keys |= {"evaluation_grade", "evaluation_score"}  # the grade and score scans (report_facts.py)
    keys |= {pipeline.PRINTED_TOTAL_WEIGHT, pipeline.PRINTED_TOTAL_SCORE}
    return keys


def seed_keys() -> set[str]:
    with (REPO / "seeds" / "budget_categories.csv").open(encoding="utf-8", newline="") as stream:
        variants = [variant for row in csv.DictReader(stream) for variant in row["variants"].split("|")]
    return {variant for variant in variants if KEY.match(variant)}


def model_keys() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((REPO / "models").rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        keys = set(COMPARED.findall(text)) | set(MEASURE.findall(text))
        for listed in LISTED.findall(text):
            keys |= set(re.findall(r"'([a-z0-9_]+)'", listed))
        if keys:
            found[path.name] = keys
    return found


def test_the_extractor_gives_every_key_the_models_ask_for():
    asked = model_keys()
    assert {"fact_evaluation.sql", "fact_unit_profile.sql", "mart_budget_execution.sql",
            "mart_self_evaluation.sql"} <= set(asked)  # the scan finds the keys where they are used
    given = extractor_keys()
    assert {name: keys - given for name, keys in asked.items() if keys - given} == {}


def test_the_seed_names_only_keys_the_extractor_gives():
    assert seed_keys() and seed_keys() <= extractor_keys()


def test_every_funding_fact_has_its_category_in_the_seed():
    funding = {key for key in extractor_keys()
               if key.startswith(("income_", "expenditure_")) and "final_account" not in key} | {"budget_initial"}
    assert funding - seed_keys() == set()
