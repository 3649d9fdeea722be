# perfbudget — two commands do everything on a fresh machine with Python 3.11:
#   make run    set up, run the nightly load once on data/samples, print what was built
#   make test   set up, run every test
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export DO_NOT_TRACK := 1
export DBT_PROFILES_DIR := $(CURDIR)/profiles
export PREFECT_SERVER_ANALYTICS_ENABLED := false

.PHONY: setup run test lint bench docs bi clean

setup: $(VENV)/.installed

# pip installs only uv (requirements-uv.txt says why); uv installs the project and its pins, and
# compiles their bytecode as pip does: where PYTHONDONTWRITEBYTECODE is set (it is on these
# machines), a module with no .pyc is compiled again by every process that imports it.
$(VENV)/.installed: pyproject.toml requirements-uv.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-uv.txt
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[dev]'
	touch $@

run: setup
	$(BIN)/perfbudget run --inbox data/samples --warehouse data/warehouse

# the dbt docs site of the published warehouse (make run first), served on 127.0.0.1:8080
docs: setup
	$(BIN)/perfbudget docs --warehouse data/warehouse

# Superset on the published warehouse (make run first), in its own venv bi/.venv, on 127.0.0.1:8088
bi: setup
	bash bi/superset/setup.sh $(CURDIR)/data/warehouse/perfbudget.duckdb
	bash bi/superset/serve.sh

lint: setup
	$(BIN)/ruff check .

# Two workers (this machine has two cores); a test module stays on one worker, so its
# module- and session-scoped builds are made once per worker at most. Modules start in the
# order tests/conftest.py gives them (the longest first), not sorted by their number of tests.
test: setup lint
	$(BIN)/python -m pytest -n 2 --dist loadfile --no-loadscope-reorder

bench: setup
	$(BIN)/python bench/extract_throughput.py

clean:
	rm -rf $(VENV) bi/.venv target logs data/staging data/warehouse data/quarantine data/.prefect data/bi
