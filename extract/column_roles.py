"""Header cells → column roles, from the seed table_column_roles.

Templates differ in their columns (半年/全年, 年度 only, 中期 + 年度 side by side, split
指标性质 / 指标值 / 度量单位, 权重, 得分, 实际完成值, 偏差原因 …), so a table is read by what its
header says each column holds, not by position. The vocabulary is seed data: a new template's
header words are a seed row, not code.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from extract.cells import squash
from extract.script_forms import matching_form, matching_label
from extract.taxonomy import seeds_dir

COLUMN_ROLES_SEED = "table_column_roles.csv"
INDICATOR, FUNDING = "indicator", "funding"
VALUE = "value"
# answers kept per vocabulary: short cells (labels and values repeat across forms), up to a bound
_SHORT, _MAX_KEPT = 64, 65536


@dataclass(frozen=True, slots=True)
class ColumnRole:
    """What one header word says its column holds."""

    role: str
    period: str = ""
    kind: str = ""


@dataclass(frozen=True, slots=True)
class RoleVocabulary:
    """Header words of each table kind, in seed order (the first word a cell contains wins).

    `role_of` is asked of most cells above and around the tables of every form (is this a
    funding pair's label? a header word?), and each answer is a scan of the table kind's words:
    answers are kept per (table kind, cell text), which the vocabulary, never changed once
    read, makes safe."""

    words: dict[str, tuple[tuple[str, ColumnRole], ...]]
    _roles_found: dict[tuple[str, str], ColumnRole | None] = field(default_factory=dict, init=False, compare=False,
                                                                   repr=False)

    def mentions(self, table: str, roles: frozenset[str], texts: tuple[str, ...]) -> bool:
        """Whether any of `texts` holds a header word of one of `roles`: one test per row, so a
        row that can be no such header is passed over before each cell is looked up."""
        key = matching_form(squash("".join(texts)))
        return any(word in key for word, role in self.words.get(table, ()) if role.role in roles)

    def role_of(self, table: str, text: str) -> ColumnRole | None:
        """The role a header cell names, or None. Line breaks inside a word (`满意度指\\n标`)
        and spaces are ignored."""
        try:
            return self._roles_found[table, text]
        except KeyError:
            pass
        key = matching_label(text)
        role = next((role for word, role in self.words.get(table, ()) if word in key), None) if key else None
        if len(text) <= _SHORT and len(self._roles_found) < _MAX_KEPT:
            self._roles_found[table, text] = role
        return role


def read_vocabulary(path: Path) -> RoleVocabulary:
    words: dict[str, list[tuple[str, ColumnRole]]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for entry in csv.DictReader(handle):
            word = squash(entry["header_word"])
            if word:
                role = ColumnRole(entry["role"].strip(), entry["period"].strip(), entry["kind"].strip())
                words.setdefault(entry["table_kind"].strip(), []).append((word, role))
    return RoleVocabulary({table: tuple(entries) for table, entries in words.items()})


@lru_cache(maxsize=4)
def load_vocabulary(path: str | None = None) -> RoleVocabulary:
    return read_vocabulary(Path(path) if path else seeds_dir() / COLUMN_ROLES_SEED)
