"""Progress of the long steps on stderr: `extracting 1200/5000 files`, `dbt 180/406 nodes`.

A full night at scale spends minutes in extraction and in `dbt build`; a command that prints
nothing for that long looks hung. The steps report here themselves (so the direct run, the
Prefect flow and `perfbudget extract` all show it) at most every tenth of the way and every
`min_seconds`, plus the last one; small counts (under `min_total`) print nothing.
`PERFBUDGET_PROGRESS=0` silences it.
"""

from __future__ import annotations

import math
import os
import re
import sys
import time
from typing import TextIO

# dbt's line for a finished node: `12:00:01  37 of 406 OK created sql table model main.dim_unit`
DBT_NODE_DONE = re.compile(r"\b(\d+) of (\d+) (?:OK|PASS|WARN|ERROR|FAIL|SKIP)\b")


class Progress:
    """Counts towards `total` and prints `  <label> <done>/<total> <unit>` now and then."""

    def __init__(self, label: str, total: int, unit: str, min_total: int = 20, min_seconds: float = 2.0,
                 stream: TextIO | None = None):
        self.label, self.total, self.unit = label, total, unit
        self.enabled = total >= min_total and os.environ.get("PERFBUDGET_PROGRESS", "1") != "0"
        self.min_seconds = min_seconds
        self.stream = stream
        self.done = 0
        self._next_tenth = 1
        # never printed: the first tenth is due however young the clock is (time.monotonic counts
        # from boot, and a CI machine may be minutes old)
        self._last_print = -math.inf

    def advance(self, step: int = 1) -> None:
        self.set(self.done + step)

    def set(self, done: int) -> None:
        self.done = done
        if not self.enabled:
            return
        now = time.monotonic()
        last = done >= self.total
        due = done * 10 >= self._next_tenth * self.total and now - self._last_print >= self.min_seconds
        if last or due:
            stream = self.stream or sys.stderr
            print(f"  {self.label} {done}/{self.total} {self.unit}", file=stream, flush=True)
            self._last_print = now
            while self._next_tenth * self.total <= done * 10:
                self._next_tenth += 1
            if last:
                self.enabled = False  # printed once at the end


def dbt_line_progress(line: str, progress: Progress | None) -> Progress | None:
    """Feed one line of dbt's output: the first node line gives the total."""
    match = DBT_NODE_DONE.search(line)
    if match is None:
        return progress
    done, total = int(match.group(1)), int(match.group(2))
    if progress is None:
        progress = Progress("dbt", total, "nodes")
    progress.set(max(progress.done, done))
    return progress
