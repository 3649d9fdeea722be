"""The synthetic corpus: deterministic for a seed, its counts file true, and read back by the
extractor exactly as generated (small corpora, two seeds)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bench.check_corpus import compare, form_mismatches
from bench.corpus import COUNTS_FILE, generate_files, write_corpus
from bench.templates import load_templates
from extract.forms import DEPT_SELF_EVAL
from extract.pipeline import ERROR, extract_file
from flows.extraction import run_extraction
from tests.wide import wide_indicators

N_FORMS = 40
SEEDS = (11, 29)


def _files(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.txt"))}


@pytest.fixture(scope="module")
def templates():
    return load_templates()


@pytest.fixture(scope="module", params=SEEDS)
def corpus(request, tmp_path_factory) -> tuple[int, Path, dict]:
    seed = request.param
    folder = tmp_path_factory.mktemp(f"corpus{seed}") / "inbox"
    write_corpus(N_FORMS, folder, seed=seed)
    counts = json.loads((folder / COUNTS_FILE).read_text(encoding="utf-8"))
    return seed, folder, counts


def test_same_seed_gives_identical_bytes(corpus, tmp_path):
    seed, folder, _ = corpus
    again = tmp_path / "again"
    write_corpus(N_FORMS, again, seed=seed)
    assert _files(again) == _files(folder)
    assert (again / COUNTS_FILE).read_bytes() == (folder / COUNTS_FILE).read_bytes()


def test_different_seeds_give_different_corpora(tmp_path):
    first, second = tmp_path / "a", tmp_path / "b"
    write_corpus(N_FORMS, first, seed=SEEDS[0])
    write_corpus(N_FORMS, second, seed=SEEDS[1])
    assert set(_files(first).values()).isdisjoint(_files(second).values())


def test_counts_file_describes_the_files(corpus, templates):
    _, folder, counts = corpus
    files = _files(folder)
    assert counts["forms"] == N_FORMS
    assert counts["files"] == len(files) == len(counts["by_file"])
    assert counts["bytes"] == sum(len(data) for data in files.values())
    assert sorted(counts["by_file"]) == sorted(files)
    names = [name for forms in counts["by_file"].values() for name in forms]
    assert len(names) == N_FORMS
    assert sum(counts["forms_by_type"].values()) == N_FORMS
    assert counts["indicator_rows"] == sum(templates.by_name[name].indicator_rows for name in names)
    assert counts["budget_lines"] == sum(templates.by_name[name].budget_lines for name in names)
    assert all(1 <= len(forms) <= 20 for forms in counts["by_file"].values())
    assert len(set(files.values())) == len(files), "a repeated text would be loaded once"


def test_extraction_equals_generated_counts(corpus, templates, tmp_path):
    _, folder, counts = corpus
    inbox = tmp_path / "inbox"
    shutil.copytree(folder, inbox, ignore=shutil.ignore_patterns(COUNTS_FILE))
    summary = run_extraction(inbox, tmp_path / "staging", tmp_path / "quarantine")
    mismatches = [(measure, generated, found) for measure, generated, found in compare(counts, summary)
                  if generated != found]
    assert mismatches == []
    assert summary.errors == 0 and summary.warnings == 0
    assert form_mismatches(counts["by_file"], tmp_path / "staging", templates) == []


def test_extracted_indicator_values_are_the_written_ones(templates):
    """Row for row, in print order: the moved rows, moved page breaks and new values all read back."""
    for name, data, forms in generate_files(N_FORMS, SEEDS[0], templates):
        result = extract_file(name, data)
        assert not [issue for issue in result.issues if issue.severity == ERROR]
        assert [doc.doc_type for doc in result.documents] == [form.template.doc_type for form in forms]
        for document, form in zip(result.documents, forms, strict=True):
            found = [(i.level3_raw, i.half_year_raw, i.full_year_raw)
                     for i in wide_indicators(result) if i.doc_id == document.doc_id]
            assert found == form.indicator_values, f"{name} form {document.part_seq} ({form.template.name})"


def test_every_template_and_page_break_kind_is_used(templates):
    used, breaks = set(), set()
    for _, _, forms in generate_files(600, SEEDS[1], templates):
        used.update(form.template.name for form in forms)
        breaks.update(form.page_break for form in forms if form.template.doc_type != DEPT_SELF_EVAL)
    assert used == set(templates.by_name)
    assert breaks == {"moved", "kept", "added", "none"}


def test_a_lost_indicator_row_is_caught(corpus, templates, tmp_path):
    """The check itself: deleting one indicator row from one file must show as a mismatch."""
    _, folder, counts = corpus
    inbox = tmp_path / "inbox"
    shutil.copytree(folder, inbox, ignore=shutil.ignore_patterns(COUNTS_FILE))
    victim = next(path for path in sorted(inbox.glob("*.txt")) if "产出指标" in path.read_text(encoding="utf-8"))
    lines = victim.read_text(encoding="utf-8").split("\n")
    del lines[next(i for i, line in enumerate(lines) if line.startswith("产出指标\t"))]
    victim.write_text("\n".join(lines), encoding="utf-8")
    summary = run_extraction(inbox, tmp_path / "staging", tmp_path / "quarantine")
    measures = {measure for measure, generated, found in compare(counts, summary) if generated != found}
    assert "indicator rows" in measures
    assert len(form_mismatches(counts["by_file"], tmp_path / "staging", templates)) == 1
