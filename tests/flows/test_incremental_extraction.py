"""flows.incremental: only new or changed files are parsed; staging stays the §3 contract."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from flows import extraction_cache, incremental
from flows.extraction import run_extraction
from flows.extraction_cache import ExtractionCache
from flows.inbox import list_documents
from flows.incremental import refresh_staging

SAMPLES = Path(__file__).resolve().parents[2] / "data" / "samples"


@pytest.fixture
def inbox(tmp_path) -> Path:
    folder = tmp_path / "inbox"
    shutil.copytree(SAMPLES, folder)
    for path in folder.iterdir():
        path.chmod(0o644)
    return folder


def refresh(inbox: Path, root: Path):
    return refresh_staging(list_documents(inbox), inbox, root / "staging", root / "quarantine")


def staged(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(folder.glob("*.csv"))}


def without_first_seen(tables: dict[str, bytes]) -> dict[str, bytes]:
    """The tables with documents' `first_seen_at` and `source_mtime` blanked: only the
    incremental refresh, which keeps the manifest, knows when a content was first seen."""
    rows = [line.rsplit(",", 2)[0] for line in tables["documents.csv"].decode("utf-8").splitlines()]
    return {**tables, "documents.csv": "\n".join(rows).encode("utf-8")}


def test_first_refresh_lands_the_same_csvs_as_a_full_extraction(inbox, tmp_path):
    summary = refresh(inbox, tmp_path)
    run_extraction(inbox, tmp_path / "full", tmp_path / "full_quarantine")
    assert summary.files_seen == 5 and summary.files_changed == 5
    assert without_first_seen(staged(tmp_path / "staging")) == without_first_seen(staged(tmp_path / "full"))
    assert summary.extraction.forms == 16


def test_unchanged_files_are_neither_read_nor_parsed(inbox, tmp_path, monkeypatch):
    refresh(inbox, tmp_path)
    before = staged(tmp_path / "staging")

    def forbidden(*args, **kwargs):
        raise AssertionError("an unchanged file was read or parsed")

    monkeypatch.setattr(incremental, "sha256_of", forbidden)
    monkeypatch.setattr(incremental, "extract_file", forbidden)
    summary = refresh(inbox, tmp_path)
    assert summary.files_changed == 0
    assert len(summary.reused_by_stat) == 5
    assert staged(tmp_path / "staging") == before


def test_touched_file_is_hashed_but_not_parsed(inbox, tmp_path, monkeypatch):
    refresh(inbox, tmp_path)
    before = staged(tmp_path / "staging")
    touched = sorted(inbox.iterdir())[1]
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 5_000_000_000))
    monkeypatch.setattr(incremental, "extract_file",
                        lambda *a, **k: (_ for _ in ()).throw(AssertionError("parsed")))
    summary = refresh(inbox, tmp_path)
    assert summary.reused_by_hash == [touched.name]
    assert summary.files_changed == 0
    assert staged(tmp_path / "staging") == before


def test_changed_file_is_the_only_one_parsed(inbox, tmp_path):
    refresh(inbox, tmp_path)
    changed = sorted(inbox.iterdir())[2]
    changed.write_bytes(changed.read_bytes() + b"\n")
    summary = refresh(inbox, tmp_path)
    assert summary.parsed == [changed.name]
    assert len(summary.reused_by_stat) == 4


def test_removed_and_renamed_files(inbox, tmp_path):
    refresh(inbox, tmp_path)
    first, second = sorted(inbox.iterdir())[:2]
    first.unlink()
    second.rename(inbox / "renamed.txt")
    summary = refresh(inbox, tmp_path)
    assert summary.removed == sorted([first.name, second.name])
    assert summary.reused_by_hash == ["renamed.txt"]
    assert summary.files_changed == 0
    documents = (tmp_path / "staging" / "documents.csv").read_text(encoding="utf-8")
    assert first.name not in documents and second.name not in documents and "renamed.txt" in documents


def test_cache_of_another_extractor_version_is_ignored(inbox, tmp_path, monkeypatch):
    refresh(inbox, tmp_path)
    monkeypatch.setattr(extraction_cache, "EXTRACTOR_VERSION", "9.9.9")
    summary = refresh(inbox, tmp_path)
    assert summary.files_changed == 5


def test_corrupt_file_is_quarantined_once_and_counted_every_run(inbox, tmp_path):
    (inbox / "zz_corrupt.txt").write_bytes(b"\x00\x01\x02 not a document \xff\xfe" * 20)
    summary = refresh(inbox, tmp_path)
    assert summary.quarantined == ["zz_corrupt.txt"]
    assert (tmp_path / "quarantine" / "zz_corrupt.txt").exists()
    issues = (tmp_path / "staging" / "extraction_issues.csv").read_text(encoding="utf-8")
    assert "zz_corrupt.txt" in issues and ",error," in issues
    again = refresh(inbox, tmp_path)
    assert again.files_changed == 0 and again.quarantined == ["zz_corrupt.txt"]


def test_cache_is_pruned_to_the_inbox(inbox, tmp_path):
    refresh(inbox, tmp_path)
    sorted(inbox.iterdir())[0].unlink()
    refresh(inbox, tmp_path)
    cache = ExtractionCache(tmp_path / "staging" / ".incremental")
    assert len(list(cache.rows_dir.glob("*.json"))) == 4
    assert len(cache.load_manifest()) == 4


def test_the_cache_is_only_valid_for_the_landing_code_it_was_made_with(tmp_path, monkeypatch):
    """Editing a module that lists, screens or lands rows re-lands the inbox (it is part of the
    cache version), as editing the extractor does."""
    from flows import extraction_cache

    flows_copy = tmp_path / "flows"
    flows_copy.mkdir()
    for name in extraction_cache.LANDING_MODULES:
        (flows_copy / name).write_bytes((extraction_cache.Path(extraction_cache.__file__).parent / name).read_bytes())
    monkeypatch.setattr(extraction_cache, "__file__", str(flows_copy / "extraction_cache.py"))
    extraction_cache.landing_version.cache_clear()
    before = extraction_cache.cache_version()
    with (flows_copy / "landing.py").open("a", encoding="utf-8") as handle:
        handle.write("\n# a changed landing rule\n")
    extraction_cache.landing_version.cache_clear()
    after = extraction_cache.cache_version()
    extraction_cache.landing_version.cache_clear()
    assert before != after and before.split("/landing-")[0] == after.split("/landing-")[0]


def test_a_manifest_entry_is_every_field_of_the_file_state(tmp_path):
    """The manifest writes a FileState field by field (extraction_cache._state_fields, faster than
    `asdict`): a field added to FileState must be written too, and the file reads back as saved."""
    from dataclasses import asdict

    state = extraction_cache.FileState("a b/表.txt", 12, 1_700_000_000_123_456_789, 1_700_000_000_987_654_321,
                                       "0" * 64)
    assert extraction_cache._state_fields(state) == asdict(state)
    cache = ExtractionCache(tmp_path / "cache", version="v")
    cache.save_manifest({state.path: state}, {"0" * 64: [state.path]})
    saved = json.loads(cache.manifest_path.read_text(encoding="utf-8"))
    assert saved["files"] == [asdict(state)] and saved["first_seen"] == {"0" * 64: [state.path]}
