"""A quality gate's results as one small static HTML page, readable offline.

Great Expectations' own Data Docs draw their index with scripts fetched from a CDN (empty
without network), weigh ~12 MB a run and name files after suites (`:`, `[ ]`, spaces). The
gate already holds every expectation's outcome (`GateReport.outcomes`, the rows of
`dq_results`), so this renders them itself: one `index.html` per stage, inline CSS, no
script, no external link, a few tens of KB. The run's folder gets an `index.html` linking its
stages. File names are ASCII letters, digits, `-`, `_` and `.` only.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the runner imports this module: its type only for the checker
    from expectations.runner import CheckOutcome

_STYLE = """
body{font-family:"Noto Sans CJK SC","Noto Sans",sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f0f0f0}
tr.fail td{background:#fde8e8}
.ok{color:#1a7f37}.bad{color:#c62828;font-weight:bold}
"""
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")


def _page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            f"<style>{_STYLE}</style></head><body>\n{body}\n</body></html>\n")


def render_stage_page(stage: str, outcomes: Iterable[CheckOutcome], out_dir: Path) -> Path:
    """`out_dir/index.html`: the stage's checks, failures first, with a count per outcome."""
    rows = sorted(outcomes, key=lambda o: (o.success, o.suite, o.table, o.column, o.check))
    counts = Counter("passed" if o.success else "failed" for o in rows)
    lines = [f"<h1>质量检查 — Quality checks: {html.escape(stage)}</h1>",
             f'<p id="summary">{len(rows)} checks: <span class="ok">{counts["passed"]} passed</span>, '
             f'<span class="{"bad" if counts["failed"] else "ok"}">{counts["failed"]} failed</span></p>',
             '<table id="results"><thead><tr><th>status</th><th>suite</th><th>table</th><th>column</th>'
             "<th>check</th><th>observed</th></tr></thead><tbody>"]
    for outcome in rows:
        status = "pass" if outcome.success else "fail"
        cells = (status, outcome.suite, outcome.table, outcome.column, outcome.check, outcome.observed)
        lines.append(f'<tr class="{status}">' + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    lines.append("</tbody></table>")
    out_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / "index.html"
    page.write_text(_page(f"perfbudget quality — {stage}", "\n".join(lines)), encoding="utf-8")
    return page


def render_run_index(run_dir: Path, run_id: str) -> Path:
    """`run_dir/index.html` linking the stage pages the run wrote (staging, marts)."""
    stages = sorted(p.parent.name for p in run_dir.glob("*/index.html") if SAFE_NAME.match(p.parent.name))
    links = "".join(f'<li><a href="{stage}/index.html">{stage}</a></li>' for stage in stages)
    body = (f"<h1>质量报告 — Quality report of run {html.escape(run_id)}</h1>"
            f"<ul>{links or '<li>no gate ran</li>'}</ul>")
    run_dir.mkdir(parents=True, exist_ok=True)
    page = run_dir / "index.html"
    page.write_text(_page(f"perfbudget quality — {run_id}", body), encoding="utf-8")
    return page
