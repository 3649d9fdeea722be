"""The indicator taxonomy seed, read by the extractor to tell a 一级 label from a 二级 label.

The same CSV is the dbt seed `indicator_taxonomy`: one source of truth for both layers.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.cells import squash
from extract.script_forms import matching_form
from extract.seeds import seeds_dir

__all__ = ["DUTY_LEVEL1", "LabelMeaning", "Taxonomy", "label_key", "load_taxonomy", "read_taxonomy", "score_annotation",
           "seeds_dir"]

# a score annotation: 产出指标(70分), 成本指标(0-20)分, 效益指标(30分)
_SCORE_SUFFIX = re.compile(r"\(\d+(?:\.\d+)?(?:[-~～—–至]\d+(?:\.\d+)?)?分?\)分?$")
_SCORE_ANNOTATION = re.compile(r"\((\d+(?:\.\d+)?(?:[-~～—–至]\d+(?:\.\d+)?)?)分?\)分?$")
DUTY_LEVEL1 = "履职"
# meanings kept per taxonomy: short texts (labels repeat across forms), up to a bound
_SHORT, _MAX_KEPT = 64, 65536


@lru_cache(maxsize=65536)
def label_key(text: str) -> str:
    """Comparable form of a level label: no spaces, ASCII parens, no '(50分)' or '(0-20)分' score
    annotation, simplified characters without pinyin glosses."""
    return _SCORE_SUFFIX.sub("", matching_form(squash(text)))


@lru_cache(maxsize=65536)
def score_annotation(text: str) -> str:
    """The points a level label announces ('产出指标(70分)' → '70', '成本指标(0-20)分' → '0-20'),
    as printed but for spaces; '' when it announces none. label_key drops the annotation to
    match the label; the warehouse needs it to check the group's weights against it. Asked
    twice per indicator row, of the same few dozen labels: memoised as `label_key` is."""
    match = _SCORE_ANNOTATION.search(squash(text))
    return match.group(1) if match else ""


@dataclass(frozen=True, slots=True)
class LabelMeaning:
    """What a printed label can be: a level-1 label, and/or a level-2 label of some level 1."""

    level1: str | None  # canonical level 1 if the text is a level-1 variant
    level2_parent: str | None  # canonical level 1 of the level 2 it is a variant of


@dataclass(frozen=True)
class Taxonomy:
    """Level-1 variants and level-2 parents by `label_key`. `meaning` is asked of the label
    cells of every indicator row, most of them the same few dozen labels: each text's meaning
    is kept (the taxonomy never changes once read), not built again per row."""

    level1_variants: dict[str, str]
    level2_parents: dict[str, str]
    _meanings: dict[str, LabelMeaning] = field(default_factory=dict, init=False, compare=False, repr=False)

    def meaning(self, text: str) -> LabelMeaning:
        try:
            return self._meanings[text]
        except KeyError:
            pass
        key = label_key(text)
        meaning = LabelMeaning(self.level1_variants.get(key), self.level2_parents.get(key))
        if len(text) <= _SHORT and len(self._meanings) < _MAX_KEPT:
            self._meanings[text] = meaning
        return meaning

    def is_label(self, text: str) -> bool:
        key = label_key(text)
        return key in self.level1_variants or key in self.level2_parents

    def level1_of(self, text: str) -> str | None:
        return self.level1_variants.get(label_key(text))


def read_taxonomy(path: Path) -> Taxonomy:
    level1: dict[str, str] = {}
    level2: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for entry in csv.DictReader(handle):
            canonical1 = entry["level1_canonical"].strip()
            canonical2 = entry["level2_canonical"].strip()
            variants = [v for v in entry["variants"].split("|") if v.strip()]
            target = level1 if not canonical2 else level2
            for name in [canonical2 or canonical1, *variants]:
                target.setdefault(label_key(name), canonical1)
    return Taxonomy(level1_variants=level1, level2_parents=level2)


@lru_cache(maxsize=4)
def load_taxonomy(path: str | None = None) -> Taxonomy:
    return read_taxonomy(Path(path) if path else seeds_dir() / "indicator_taxonomy.csv")
