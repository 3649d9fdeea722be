"""The staging contract keeps an indicator's values and a funding line's amounts in long tables
(`indicator_values`, `budget_amounts`: one row per printed cell). The gold and many assertions
read them the way the Jiangsu form prints them, half-year beside full-year; these helpers put
the long rows back beside their indicator or line for those assertions (a missing cell reads
as "", exactly as a blank printed cell does)."""

from __future__ import annotations

from dataclasses import asdict
from types import SimpleNamespace


def wide_indicators(result) -> list[SimpleNamespace]:
    """Each indicator row of a `FileExtraction` with `half_year_raw`/`full_year_raw` (targets)."""
    values = {(v.doc_id, v.indicator_seq, v.period): v.value_raw
              for v in result.indicator_values if v.kind == "target"}
    return [SimpleNamespace(**asdict(i), half_year_raw=values.get((i.doc_id, i.indicator_seq, "half_year"), ""),
                            full_year_raw=values.get((i.doc_id, i.indicator_seq, "full_year"), ""))
            for i in result.indicators]


def wide_budget_lines(result) -> list[SimpleNamespace]:
    """Each funding line of a `FileExtraction` with `half_year_raw` (半年计划执行数) and
    `full_year_raw` (全年预算数)."""
    amounts = {(a.doc_id, a.line_seq, a.phase): a.amount_raw for a in result.budget_amounts}
    return [SimpleNamespace(**asdict(b), half_year_raw=amounts.get((b.doc_id, b.line_seq, "half_year_plan"), ""),
                            full_year_raw=amounts.get((b.doc_id, b.line_seq, "annual_budget"), ""))
            for b in result.budget_lines]
