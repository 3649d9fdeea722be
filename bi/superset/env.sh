# Sourced by setup.sh and serve.sh: where the BI venv and Superset's state live.
BI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$BI_DIR/../.." && pwd)"
BI_VENV="${PERFBUDGET_BI_VENV:-$REPO/bi/.venv}"
export PERFBUDGET_BI_HOME="${PERFBUDGET_BI_HOME:-$REPO/data/bi}"
export SUPERSET_CONFIG_PATH="$BI_DIR/superset_config.py"
export FLASK_APP=superset
export SUPERSET_LOG_LEVEL="${SUPERSET_LOG_LEVEL:-warning}"
# No telemetry from Superset's Python side either.
export SCARF_ANALYTICS=false DO_NOT_TRACK=1
mkdir -p "$PERFBUDGET_BI_HOME"
