"""The nightly load: `nightly.py` is the Prefect flow and its tasks; the steps it runs are
plain functions in `load.py` (the chain), `build.py` (dbt), `publish.py` (atomic publish,
rollback), `runlog.py` (etl_runs, dq_results) and `layout.py` (where files live).

The I/O around the pure extractor (extract/) lives here too: `inbox.py` (listing, reading),
`quarantine.py`, `pool.py` (batches over worker processes), `extraction_cache.py` and
`incremental.py` (the nightly's refresh of the staging CSVs), `extraction.py` (a whole inbox
in one go), `landing.py` (the staging CSVs, atomically), `summary.py` (counts), and `cli.py`,
the `perfbudget` command."""
