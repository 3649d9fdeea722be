"""tests/bi: the Superset dashboard. test_bundle.py runs everywhere; the browser test needs the
BI venv (bi/.venv), Debian's chromium and fonts-noto-cjk, and runs only with PERFBUDGET_BI_TEST=1
(bi/superset/ci_stage.sh installs all of it and runs it)."""

import sys
from pathlib import Path

BI_DIR = Path(__file__).resolve().parents[2] / "bi" / "superset"
if str(BI_DIR) not in sys.path:
    sys.path.insert(0, str(BI_DIR))


def pytest_configure(config):
    config.addinivalue_line("markers", "bi: needs the Superset venv bi/.venv and chromium (PERFBUDGET_BI_TEST=1)")
