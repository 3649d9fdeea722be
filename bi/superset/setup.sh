#!/usr/bin/env bash
# Set up Superset with the perfbudget dashboard against a published warehouse:
#   bi/superset/setup.sh [--fresh] [WAREHOUSE]     (default data/warehouse/perfbudget.duckdb)
# 1. bi/.venv from requirements.txt + constraints.txt, installed by uv (made once; again when either file changes)
# 2. superset db upgrade (SQLite metadata db in $PERFBUDGET_BI_HOME, default data/bi/)
# 3. the admin user: password $SUPERSET_ADMIN_PASSWORD, else one generated into data/bi/admin_password
# 4. superset init
# 5. build_bundle.py zips bi/superset/dashboard/ for WAREHOUSE; superset import-dashboards imports it,
#    and set-database-uri points the (already existing) database at WAREHOUSE.
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
    # uv installs (the repository's requirements-uv.txt says why), pip only bootstraps it
    "$BI_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REPO/requirements-uv.txt"
    "$BI_VENV/bin/uv" pip install --quiet --python "$BI_VENV/bin/python" \
        -r "$BI_DIR/requirements.txt" -c "$BI_DIR/constraints.txt"
    echo "$want" > "$stamp"
fi
[[ "${PERFBUDGET_BI_VENV_ONLY:-0}" == 1 ]] && exit 0   # the venv alone (CI installs it before the test)
[[ -f "$warehouse" ]] || { echo "no warehouse at $warehouse (run the nightly load first: make run)" >&2; exit 2; }
warehouse="$(cd "$(dirname "$warehouse")" && pwd)/$(basename "$warehouse")"
superset="$BI_VENV/bin/superset"

# 2. metadata db
if [[ $fresh == 1 ]]; then rm -f "$PERFBUDGET_BI_HOME/superset.db" "$PERFBUDGET_BI_HOME/bundle.sha256"; fi
new_db=1; [[ -f "$PERFBUDGET_BI_HOME/superset.db" ]] && new_db=0
bundle_sha="$(cd "$BI_DIR" && find dashboard build_bundle.py -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)"
if [[ -f "$PERFBUDGET_BI_HOME/superset.db" && -f "$PERFBUDGET_BI_HOME/bundle.sha256" \
      && "$(cat "$PERFBUDGET_BI_HOME/bundle.sha256")" != "$bundle_sha" ]]; then
    echo "!! the bundle changed since it was imported: import-dashboards updates the dashboard only;" >&2
    echo "!! run bi/superset/setup.sh --fresh to import changed charts and datasets too" >&2
fi
echo "== superset db upgrade ($PERFBUDGET_BI_HOME/superset.db)"
"$superset" db upgrade > "$PERFBUDGET_BI_HOME/db-upgrade.log" 2>&1 \
    || { tail -30 "$PERFBUDGET_BI_HOME/db-upgrade.log" >&2; exit 1; }

# 3. admin user
password="${SUPERSET_ADMIN_PASSWORD:-}"
if [[ -z "$password" ]]; then
    secret="$PERFBUDGET_BI_HOME/admin_password"
    [[ -f "$secret" ]] || (umask 077 && "$BI_VENV/bin/python" -c "import secrets; print(secrets.token_urlsafe(12))" > "$secret")
    password="$(cat "$secret")"
    echo "== admin password: in $secret"
fi
created="$("$superset" fab create-admin --username admin --firstname Admin --lastname User \
    --email admin@localhost --password "$password" 2>&1)" || { echo "$created" >&2; exit 1; }
if grep -q "already exists" <<< "$created"; then
    "$superset" fab reset-password --username admin --password "$password" > /dev/null 2>&1
fi

# 4. roles and permissions
echo "== superset init"
"$superset" init > "$PERFBUDGET_BI_HOME/init.log" 2>&1 || { tail -30 "$PERFBUDGET_BI_HOME/init.log" >&2; exit 1; }

# 5. the dashboard
bundle="$PERFBUDGET_BI_HOME/perfbudget_dashboard.zip"
"$BI_VENV/bin/python" "$BI_DIR/build_bundle.py" --warehouse "$warehouse" --zip "$bundle" > /dev/null
echo "== superset import-dashboards -p $bundle"
"$superset" import-dashboards -p "$bundle" -u admin > "$PERFBUDGET_BI_HOME/import.log" 2>&1 \
    || { grep -v "^\s*$" "$PERFBUDGET_BI_HOME/import.log" | tail -30 >&2; exit 1; }
if grep -q "There was an error when importing" "$PERFBUDGET_BI_HOME/import.log"; then
    grep -v "^\s*$" "$PERFBUDGET_BI_HOME/import.log" | tail -30 >&2; exit 1
fi
"$superset" set-database-uri --database_name perfbudget --uri "duckdb:///$warehouse" \
    > "$PERFBUDGET_BI_HOME/set-uri.log" 2>&1 || { cat "$PERFBUDGET_BI_HOME/set-uri.log" >&2; exit 1; }
# what a new metadata db got its charts and datasets from (a later import keeps them)
[[ $new_db == 1 ]] && echo "$bundle_sha" > "$PERFBUDGET_BI_HOME/bundle.sha256"
echo "== ready: dashboard 预算绩效 / Budget performance on duckdb:///$warehouse (read-only)"
echo "   serve it: bi/superset/serve.sh   then open http://127.0.0.1:${PORT:-8088}/superset/dashboard/perfbudget/"
