"""A PDF page's characters without the duplicates some PDFs draw (fake bold: the same text
printed twice, a fraction of a point apart).

pdfplumber's `dedupe_chars` gives the right answer but ends by sorting the kept characters
with `key=chars.index`, a linear search comparing whole char dicts for every character: on a
page of a thousand characters that is most of the time the reader spends on the page. This is
the same rule, the same result, without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from operator import itemgetter

from pdfplumber.utils.clustering import cluster_objects

_DOCTOP, _X0 = itemgetter("doctop"), itemgetter("x0")
_POSITION = itemgetter("doctop", "x0")


def dedupe_chars(chars: Sequence[dict], tolerance: float = 1,
                 extra_attrs: tuple[str, ...] = ("fontname", "size")) -> list[dict]:
    """The characters of `chars` that pdfplumber's `utils.dedupe_chars` keeps, in their order.

    Characters with the same upright, text and `extra_attrs` whose `doctop` and then `x0`
    cluster within `tolerance` (pdfplumber's `cluster_objects`) are one character: the first of
    them by position (doctop, x0), the earliest on a tie. pdfplumber orders the kept characters
    by the index of the first character equal to each; no earlier character can equal a kept
    one (it would have been kept instead), so that is the kept character's own place."""
    key = itemgetter("upright", "text", *extra_attrs)
    groups: dict[tuple, list[dict]] = {}
    for char in chars:
        groups.setdefault(key(char), []).append(char)
    if len(groups) == len(chars):  # no two characters alike: nothing to remove
        return list(chars)
    kept: set[int] = set()
    for group in groups.values():
        if len(group) == 1:
            kept.add(id(group[0]))
            continue
        for y_cluster in cluster_objects(group, _DOCTOP, tolerance):
            for x_cluster in cluster_objects(y_cluster, _X0, tolerance):
                kept.add(id(min(x_cluster, key=_POSITION)))
    out = []
    for char in chars:
        if id(char) in kept:
            kept.discard(id(char))  # once, as pdfplumber keeps it
            out.append(char)
    return out
