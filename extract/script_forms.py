"""The form in which a printed word is matched against the seeds: simplified characters and no
pinyin glosses. Forms of some provinces print traditional characters with glosses (`執(zhí)`);
their cells land as printed (`*_raw`), but 產出目標 must still be read as the level 产出目标."""

from __future__ import annotations

import csv
import re
from functools import lru_cache

from extract.cells import squash
from extract.seeds import seeds_dir

TRADITIONAL_SEED = "traditional_characters.csv"
_TONES = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
# a pinyin gloss: lower-case latin with at least one tone mark, in parentheses
_GLOSS = re.compile(r"[(（][a-zü" + _TONES + r"]*[" + _TONES + r"][a-zü" + _TONES + r"]*[)）]")


@lru_cache(maxsize=1)
def _table() -> dict[int, str]:
    with (seeds_dir() / TRADITIONAL_SEED).open(encoding="utf-8", newline="") as handle:
        return {ord(entry["traditional"]): entry["simplified"] for entry in csv.DictReader(handle)
                if entry["traditional"]}


@lru_cache(maxsize=65536)
def _matching_short(text: str) -> str:
    return _GLOSS.sub("", text).translate(_table())


def matching_form(text: str) -> str:
    """`text` in simplified characters, pinyin glosses removed (ASCII text is returned as is).

    The layout code asks it of nearly every cell it tries as a label (header fields, column
    roles, level labels, total rows), most of them the same few hundred words in every form:
    short texts are memoised as extract/cells.py's `squash` is (a regex pass and a translate
    per call otherwise); long prose is not worth keeping."""
    if text.isascii():
        return text
    if len(text) <= 64:
        return _matching_short(text)
    return _GLOSS.sub("", text).translate(_table())


def simplified_in_place(text: str) -> str:
    """`text` in simplified characters at the same positions (glosses kept), so a match in it
    points at the printed text: for searching prose, where glosses only interrupt words."""
    return text if text.isascii() else text.translate(_table())


@lru_cache(maxsize=65536)
def _matching_label_short(text: str) -> str:
    return matching_form(squash(text))


def matching_label(text: str) -> str:
    """`matching_form(squash(text))`, the form in which a cell is looked up among the seed words
    (header fields, narrative and total labels, column roles): asked of most cells of every
    form, so short texts are memoised in one step rather than in two."""
    if len(text) <= 64:
        return _matching_label_short(text)
    return matching_form(squash(text))
