"""Great Expectations quality gates: the suites (`suites/*.json`, one per table) and the
runner that validates staging CSVs and mart tables as pandas DataFrames (`runner.py`)."""
