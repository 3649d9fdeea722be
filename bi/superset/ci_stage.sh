#!/usr/bin/env bash
# CI stage for the Superset dashboard (tests/bi): installs what the browser test needs and runs it.
#   1. Debian's chromium and fonts-noto-cjk, when missing (apt-get; root, as CI is)
#   2. the project's venv (.venv), when missing (make setup)
#   3. the BI venv (bi/.venv) from bi/superset/requirements.txt + constraints.txt, when missing or stale
#   4. PERFBUDGET_BI_TEST=1 pytest tests/bi: publishes the samples warehouse, sets Superset up on it,
#      checks every chart's rows against the marts and renders the dashboard in headless Chromium
#      (screenshot: docs/img/dashboard.png)
set -euo pipefail
cd "$(dirname "$0")/../.."
started=$SECONDS

missing=()
command -v chromium > /dev/null || missing+=(chromium)
# grep reads the whole list (no -q): with pipefail, fc-list killed by SIGPIPE when grep -q
# stopped at the first match failed the pipeline, and the installed fonts were installed again
fc-list 2> /dev/null | grep -i "Noto Sans CJK" > /dev/null || missing+=(fonts-noto-cjk)
if (( ${#missing[@]} )); then
    echo "== apt-get install ${missing[*]}"
    sudo=""; [[ $(id -u) == 0 ]] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" fontconfig > /dev/null
fi
[[ -x .venv/bin/python ]] || make setup

echo "== BI venv"
PERFBUDGET_BI_VENV_ONLY=1 bash bi/superset/setup.sh
echo "== installs took $((SECONDS - started)) s; running tests/bi"
# pytest's summary stays the last line of the stage (CI reads the closing lines)
PERFBUDGET_BI_TEST=1 .venv/bin/python -m pytest tests/bi -p no:cacheprovider -rs
