"""The extractor's version is a hash of its code and of the seeds it reads (extract/version.py):
a fix or a taxonomy change re-extracts cached documents on the next run."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from extract.version import EXTRACTOR_SEEDS, compute_version

EXTRACT = Path(__file__).resolve().parents[2] / "extract"
SEEDS = EXTRACT.parent / "seeds"


def test_the_version_changes_with_the_code_and_with_every_seed_read_and_nothing_else(tmp_path):
    package, seeds = tmp_path / "extract", tmp_path / "seeds"
    shutil.copytree(EXTRACT, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(SEEDS, seeds)
    base = compute_version(package, seeds)
    assert base == compute_version(EXTRACT, SEEDS)  # the same bytes elsewhere: the same version

    (package / "funding.py").write_text((package / "funding.py").read_text(encoding="utf-8") + "\n# fix\n",
                                        encoding="utf-8")
    edited_code = compute_version(package, seeds)
    assert edited_code != base
    for name in EXTRACTOR_SEEDS:
        with (seeds / name).open("a", encoding="utf-8") as stream:
            stream.write("\n")
        assert compute_version(package, seeds) != edited_code, name
        edited_code = compute_version(package, seeds)
    (seeds / "regions.csv").write_text("changed\n", encoding="utf-8")  # a seed only dbt reads
    assert compute_version(package, seeds) == edited_code


def test_every_seed_the_extractor_names_is_part_of_its_version():
    named = {match for path in EXTRACT.glob("*.py")
             for match in re.findall(r"[\"']([a-z_]+\.csv)[\"']", path.read_text(encoding="utf-8"))}
    assert named and named <= set(EXTRACTOR_SEEDS), named - set(EXTRACTOR_SEEDS)
