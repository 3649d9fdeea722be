"""The seed form_labels: title words (which form a title announces), header-field labels,
narrative labels and the labels of an indicator table's printed total row (合计, 总分). Layout
vocabulary is data: a new template's words are seed rows, not code."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.cells import squash
from extract.script_forms import matching_form, matching_label, simplified_in_place
from extract.taxonomy import seeds_dir

FORM_LABELS_SEED = "form_labels.csv"
TARGET, SELF_EVAL_TABLE, REPORT = "target", "self_eval_table", "report"
# a title may end in its year: 部门预算项目绩效目标申报表(2023年度)
_YEAR_SUFFIX = re.compile(r"\(\d{4}年度?\)$")
_FUNDING_AMOUNT = re.compile(r"\s*[为是:：]?\s*(\d[\d,]*(?:\.\d+)?)\s*(万元|元)")


@dataclass(frozen=True)
class FormLabels:
    titles: tuple[tuple[str, str], ...]  # (title word, target | self_eval_table | report), longest first
    header_fields: dict[str, str]  # label → Document field
    narratives: dict[str, str]  # label → narrative field
    total_rows: frozenset[str] = frozenset()  # first cell of a table's printed total row
    # a funding figure a self-evaluation states in a sentence (累计安排资金10万元): word → phase
    funding_sentences: dict[str, str] = field(default_factory=dict)

    def funding_in_sentence(self, text: str) -> tuple[str, str, str, str] | None:
        """(label as printed, phase, amount, unit) of the first funding sentence in `text`:
        a seed word, an optional 为/是/：, a number and 万元 or 元."""
        if not self.funding_sentences:
            return None
        simple = simplified_in_place(text)  # positions map back to the printed text
        for word, phase in self.funding_sentences.items():
            at = simple.find(word)
            if at < 0:
                continue
            amount = _FUNDING_AMOUNT.match(simple, at + len(word))
            if amount is not None:
                return text[at:at + len(word)], phase, amount.group(1), amount.group(2)
        return None

    def narrative_of(self, text: str) -> str | None:
        """The narrative field a label names: the label itself, else the longest narrative label
        inside it (a table's column header '项目年度目标' names 年度目标's field)."""
        key = matching_label(text)
        if key in self.narratives:
            return self.narratives[key]
        inside = [word for word in self.narratives if word in key]
        return self.narratives[max(inside, key=len)] if inside else None

    def title_kind(self, text: str) -> str | None:
        """What form a title announces, from the word it ends with (a year suffix ignored)."""
        key = _YEAR_SUFFIX.sub("", matching_label(text))
        return next((kind for word, kind in self.titles if key.endswith(word)), None)


def read_form_labels(path: Path) -> FormLabels:
    titles: list[tuple[str, str]] = []
    header_fields: dict[str, str] = {}
    narratives: dict[str, str] = {}
    total_rows: set[str] = set()
    funding_sentences: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for entry in csv.DictReader(handle):
            kind, word, meaning = entry["kind"].strip(), squash(entry["word"]), entry["meaning"].strip()
            if not word:
                continue
            if kind == "title":
                titles.append((word, meaning))
            elif kind == "header_field":
                header_fields.setdefault(word, meaning)
            elif kind == "narrative":
                narratives.setdefault(word, meaning)
            elif kind == "total_row":
                total_rows.add(matching_form(word))
            elif kind == "funding_sentence":
                funding_sentences.setdefault(matching_form(word), meaning)
    titles.sort(key=lambda entry: -len(entry[0]))
    return FormLabels(tuple(titles), header_fields, narratives, frozenset(total_rows), funding_sentences)


@lru_cache(maxsize=4)
def load_form_labels(path: str | None = None) -> FormLabels:
    return read_form_labels(Path(path) if path else seeds_dir() / FORM_LABELS_SEED)
