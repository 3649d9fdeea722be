"""The same document gives the same rows whatever its encoding, line ends or form order."""

from __future__ import annotations

import dataclasses

import pytest

from extract.pipeline import extract_file
from tests.extract.conftest import SAMPLES, TARGET_FILES, sample_path

LINEAGE = {"doc_id", "source_sha256", "source_file"}


def rows_without_lineage(extraction) -> dict[str, list[tuple]]:
    """Every staging row, lineage columns dropped, doc_id replaced by the form's position."""
    seq = {d.doc_id: d.part_seq for d in extraction.documents}
    tables = {}
    for table in ("documents", "narratives", "budget_lines", "indicators", "report_facts"):
        tables[table] = [
            (seq[row.doc_id], *(v for k, v in dataclasses.asdict(row).items() if k not in LINEAGE))
            for row in getattr(extraction, table)
        ]
    return tables


VARIANTS = {
    "crlf": lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "gb18030": lambda text: text.encode("gb18030"),
    "gb18030_crlf": lambda text: text.replace("\n", "\r\n").encode("gb18030"),
    "bom_crlf": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("prefix", (*TARGET_FILES, "002"))
def test_encoding_variants_give_identical_rows(prefix, variant, extracted):
    path = sample_path(prefix)
    data = VARIANTS[variant](path.read_bytes().decode("utf-8"))
    again = extract_file(path.name, data)
    assert again.issues == []
    assert rows_without_lineage(again) == rows_without_lineage(extracted[prefix])
    # the doc_id follows the text, not the bytes: re-encoding does not change identities
    assert [d.doc_id for d in again.documents] == [d.doc_id for d in extracted[prefix].documents]
    assert again.source_sha256 != extracted[prefix].source_sha256


def _split_004(text: str) -> list[str]:
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if line.strip() == "南通市本级项目预算绩效目标表"]
    starts[0] = 0
    return ["\n".join(lines[a:b]) for a, b in zip(starts, [*starts[1:], len(lines)], strict=True)]


def _form_rows(extraction) -> dict[str, dict[str, list[tuple]]]:
    """Rows per project, line numbers made relative to the form's first line."""
    by_doc = {d.doc_id: d for d in extraction.documents}
    out: dict[str, dict[str, list[tuple]]] = {}
    for table in ("narratives", "budget_lines", "indicators"):
        for row in getattr(extraction, table):
            doc = by_doc[row.doc_id]
            values = dataclasses.asdict(row)
            values["source_line"] -= doc.line_start
            values.pop("doc_id")
            values.pop("source_ref")  # `L<line>`: where the form sits in the file
            out.setdefault(doc.project_name, {}).setdefault(table, []).append(tuple(values.values()))
    return out


@pytest.mark.parametrize("order_seed", [1, 2, 3])
def test_004_forms_in_another_order_give_the_same_rows(order_seed, extracted):
    import random

    text = sample_path("004").read_bytes().decode("utf-8")
    forms = _split_004(text)
    # the first chunk carries the file's leading blank lines; keep every form starting on its title
    forms = [f.strip("\n") for f in forms]
    shuffled = forms[:]
    random.Random(order_seed).shuffle(shuffled)
    assert shuffled != forms
    again = extract_file("004_reordered.txt", "\n\n".join(shuffled).encode("utf-8"))
    assert again.issues == []
    assert sorted(d.project_name for d in again.documents) == sorted(
        d.project_name for d in extracted["004"].documents)
    name_rows = [next(line for line in f.split("\n") if line.startswith("项目名称")) for f in shuffled]
    # the project name is the first filled cell after the label (col 2 or col 3 in 004)
    assert [d.project_name for d in again.documents] == [
        next(cell for cell in row.split("\t")[1:] if cell) for row in name_rows]
    assert _form_rows(again) == _form_rows(extracted["004"])
    assert len(again.indicators) == 180 and len(again.budget_lines) == 120


def test_all_samples_present():
    assert len(list(SAMPLES.glob("*.txt"))) == 5
