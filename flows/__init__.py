"""The nightly load: `nightly.py` is the Prefect flow and its tasks; the steps it runs are
plain functions in `load.py` (the chain), `build.py` (dbt), `publish.py` (atomic publish,
rollback), `runlog.py` (etl_runs, dq_results) and `layout.py` (where files live)."""
