"""perfbudget extractors: published budget-performance documents → staging CSV rows.

The package recovers layout, not meaning: every cell text as printed, with the table
structure resolved (forms, sections, merged cells, page breaks, two numbers in one cell)
and lineage (file, sha256, form sequence, line numbers). Meaning is dbt's job.

`EXTRACTOR_VERSION` is computed from the package's code and the seeds it reads
(extract/version.py), so a change to either re-extracts cached documents.
"""

from pathlib import Path as _Path

from extract.taxonomy import seeds_dir as _seeds_dir
from extract.version import compute_version as _compute_version

EXTRACTOR_VERSION = _compute_version(_Path(__file__).resolve().parent, _seeds_dir())
