"""The form in which a printed word is matched against the seeds: simplified characters and no
pinyin glosses. Forms of some provinces print traditional characters with glosses (`執(zhí)`);
their cells land as printed (`*_raw`), but 產出目標 must still be read as the level 产出目标."""

from __future__ import annotations

import csv
import re
from functools import lru_cache

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


def matching_form(text: str) -> str:
    """`text` in simplified characters, pinyin glosses removed (ASCII text is returned as is)."""
    if text.isascii():
        return text
    return _GLOSS.sub("", text).translate(_table())


def simplified_in_place(text: str) -> str:
    """`text` in simplified characters at the same positions (glosses kept), so a match in it
    points at the printed text: for searching prose, where glosses only interrupt words."""
    return text if text.isascii() else text.translate(_table())
