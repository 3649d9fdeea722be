#!/usr/bin/env bash
# Serve Superset (set up by setup.sh) on 127.0.0.1:$PORT (default 8088), in the foreground.
set -euo pipefail
source "$(dirname "$0")/env.sh"
[[ -x "$BI_VENV/bin/gunicorn" ]] || { echo "no $BI_VENV: run bi/superset/setup.sh first" >&2; exit 2; }
port="${PORT:-8088}"
echo "Superset on http://127.0.0.1:$port/superset/dashboard/perfbudget/ (Ctrl-C stops it)"
exec "$BI_VENV/bin/gunicorn" --bind "127.0.0.1:$port" --workers 1 --worker-class gthread --threads 8 \
    --timeout 120 --limit-request-line 0 --limit-request-field_size 0 "superset.app:create_app()"
