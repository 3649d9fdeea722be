#!/usr/bin/env bash
# Set up Superset with the perfbudget dashboard against a published warehouse:
#   bi/superset/setup.sh [--fresh] [WAREHOUSE]     (default data/warehouse/perfbudget.duckdb)
# 1. bi/.venv from requirements.txt + constraints.txt, installed by uv (made once; again when one of them
#    or requirements-uv.txt changes)
# 2. build_bundle.py zips bi/superset/dashboard/ for WAREHOUSE
# 3. setup_steps.py runs Superset's own commands in one process, in this order: superset db upgrade
#    (SQLite metadata db in $PERFBUDGET_BI_HOME, default data/bi/); the admin user (password
#    $SUPERSET_ADMIN_PASSWORD, else one generated into data/bi/admin_password); superset init;
#    superset import-dashboards of the bundle; set-database-uri points the database at WAREHOUSE.
# Superset's import-dashboards overwrites the dashboard but never a chart, dataset or database it
# already has: after changing those in the bundle, run with --fresh (a new metadata db).
# Then bi/superset/serve.sh serves it on 127.0.0.1:8088.
set -euo pipefail
source "$(dirname "$0")/env.sh"

fresh=0
if [[ "${1:-}" == "--fresh" ]]; then fresh=1; shift; fi
warehouse="${1:-$REPO/data/warehouse/perfbudget.duckdb}"

# 1. the BI venv
python="${PYTHON:-$(command -v python3.11 || command -v python3)}"
stamp="$BI_VENV/.perfbudget-installed"
want="$(cat "$BI_DIR/requirements.txt" "$BI_DIR/constraints.txt" "$REPO/requirements-uv.txt" | sha256sum | cut -d' ' -f1)"
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "== installing Superset into $BI_VENV"
    [[ -x "$BI_VENV/bin/python" ]] || "$python" -m venv "$BI_VENV"
    # uv installs (the repository's requirements-uv.txt says why), pip only bootstraps it; the
    # bytecode compiled now, as pip does (with PYTHONDONTWRITEBYTECODE set, each `superset`
    # command compiled Superset again: 13 s to start against 6 s)
    "$BI_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REPO/requirements-uv.txt"
    "$BI_VENV/bin/uv" pip install --quiet --compile-bytecode --python "$BI_VENV/bin/python" \
        -r "$BI_DIR/requirements.txt" -c "$BI_DIR/constraints.txt"
    echo "$want" > "$stamp"
fi
[[ "${PERFBUDGET_BI_VENV_ONLY:-0}" == 1 ]] && exit 0   # the venv alone (CI installs it before the test)
[[ -f "$warehouse" ]] || { echo "no warehouse at $warehouse (run the nightly load first: make run)" >&2; exit 2; }
warehouse="$(cd "$(dirname "$warehouse")" && pwd)/$(basename "$warehouse")"

# the metadata db: --fresh starts a new one
if [[ $fresh == 1 ]]; then rm -f "$PERFBUDGET_BI_HOME/superset.db" "$PERFBUDGET_BI_HOME/bundle.sha256"; fi
new_db=1; [[ -f "$PERFBUDGET_BI_HOME/superset.db" ]] && new_db=0
bundle_sha="$(cd "$BI_DIR" && find dashboard build_bundle.py -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ -f "$PERFBUDGET_BI_HOME/superset.db" && -f "$PERFBUDGET_BI_HOME/bundle.sha256" \
      && "$(cat "$PERFBUDGET_BI_HOME/bundle.sha256")" != "$bundle_sha" ]]; then
    echo "!! the bundle changed since it was imported: import-dashboards updates the dashboard only;" >&2
    echo "!! run bi/superset/setup.sh --fresh to import changed charts and datasets too" >&2
fi
# the admin's password
password="${SUPERSET_ADMIN_PASSWORD:-}"
if [[ -z "$password" ]]; then
    secret="$PERFBUDGET_BI_HOME/admin_password"
    [[ -f "$secret" ]] || (umask 077 && "$BI_VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(12))" > "$secret")
    password="$(cat "$secret")"
    echo "== admin password: in $secret"
fi
# 2. the bundle
bundle="$PERFBUDGET_BI_HOME/perfbudget_dashboard.zip"
"$BI_VENV/bin/python" "$BI_DIR/build_bundle.py" --warehouse "$warehouse" --zip "$bundle" > /dev/null
# 3. Superset's commands, in one process (setup_steps.py: one app for all of them, not one each)
echo "== metadata db: $PERFBUDGET_BI_HOME/superset.db (Superset's output: $PERFBUDGET_BI_HOME/setup-steps.log)"
: > "$PERFBUDGET_BI_HOME/setup-steps.log"
PERFBUDGET_BI_ADMIN_PASSWORD="$password" "$BI_VENV/bin/python" "$BI_DIR/setup_steps.py" \
    --bundle "$bundle" --warehouse "$warehouse" --log "$PERFBUDGET_BI_HOME/setup-steps.log"
# what a new metadata db got its charts and datasets from (a later import keeps them)
[[ $new_db == 1 ]] && echo "$bundle_sha" > "$PERFBUDGET_BI_HOME/bundle.sha256"
echo "== ready: dashboard 预算绩效 / Budget performance on duckdb:///$warehouse (read-only)"
echo "   serve it: bi/superset/serve.sh   then open http://127.0.0.1:${PORT:-8088}/superset/dashboard/perfbudget/"
