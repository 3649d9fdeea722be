"""perfbudget extractors: published budget-performance documents → staging CSV rows.

The package recovers layout, not meaning: every cell text as printed, with the table
structure resolved (forms, sections, merged cells, page breaks, two numbers in one cell)
and lineage (file, sha256, form sequence, line numbers). Meaning is dbt's job.
"""

EXTRACTOR_VERSION = "0.1.0"
