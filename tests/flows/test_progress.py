"""Progress of the long steps (flows/progress.py): every tenth of the way, time permitting, and
the end; dbt's finished-node lines give its count."""

from __future__ import annotations

import io

from flows.progress import Progress, dbt_line_progress


def test_prints_each_tenth_and_the_end_once():
    out = io.StringIO()
    progress = Progress("extracted", 40, "changed files", min_seconds=0, stream=out)
    for _ in range(40):
        progress.advance()
    progress.advance()  # past the end: nothing more
    assert out.getvalue().splitlines() == [f"  extracted {n}/40 changed files" for n in range(4, 41, 4)]


def test_small_counts_and_the_switch_print_nothing(monkeypatch):
    out = io.StringIO()
    small = Progress("dbt", 5, "nodes", stream=out)
    small.set(5)
    monkeypatch.setenv("PERFBUDGET_PROGRESS", "0")
    silenced = Progress("dbt", 500, "nodes", min_seconds=0, stream=out)
    silenced.set(500)
    assert out.getvalue() == ""


def test_time_between_prints_holds_back_all_but_the_last():
    out = io.StringIO()
    progress = Progress("dbt", 100, "nodes", min_seconds=3600, stream=out)
    progress.set(10)  # the first print is due (nothing printed for an hour before it)
    for done in range(11, 101):
        progress.set(done)
    assert out.getvalue().splitlines() == ["  dbt 10/100 nodes", "  dbt 100/100 nodes"]


def test_dbt_output_lines_drive_the_node_count(monkeypatch, capsys):
    lines = ["12:00:00  Running with dbt=1.11.16",
             "12:00:01  1 of 40 START sql table model main.dim_unit .......... [RUN]",
             *(f"12:00:02  {n} of 40 OK created sql table model main.m{n} .......... [OK in 0.1s]"
               for n in range(1, 40)),
             "12:00:03  40 of 40 PASS not_null_dim_unit_unit_key .......... [PASS in 0.1s]"]
    progress = None
    for line in lines:
        progress = dbt_line_progress(line, progress)
    assert (progress.total, progress.done) == (40, 40)
    printed = capsys.readouterr().err.splitlines()
    assert printed[0] == "  dbt 4/40 nodes" and printed[-1] == "  dbt 40/40 nodes"


def test_dbt_output_closed_under_its_reader_ends_the_output_quietly():
    """flows.build reads dbt's output on a thread; when the load stops dbt, the pipe can be
    closed under that thread (a SIGTERM during a build once printed the thread's traceback on the
    night's stderr): what came before is kept, nothing is raised."""
    from flows.build import _read_output

    def closed_after_one_line():
        yield "12:00:00  Running with dbt=1.11.16\n"
        raise ValueError("I/O operation on closed file.")

    lines: list[str] = []
    _read_output(closed_after_one_line(), lines)
    assert lines == ["12:00:00  Running with dbt=1.11.16\n"]
