"""Extraction throughput on the samples repeated to a given size, or on any inbox.

    .venv/bin/python bench/extract_throughput.py --mb 20 --workers 2
    .venv/bin/python bench/extract_throughput.py --inbox /tmp/pb/bench/1000/inbox --workers 2

Builds an inbox in a temp dir from copies of data/samples (each copy changes one name, so
every file has its own content hash and none is dropped as a duplicate) until it holds at
least --mb MB (10^6 bytes), or reads the --inbox given (a synthetic corpus: the samples
repeated are kinder to the caches than real variety), then times:

* `run_extraction` — one process, end to end (list, read, extract, land the staging CSVs);
* `extract_paths`  — one process, extraction only;
* with --workers N > 1, `run_extraction` on `flows.pool.ProcessPool(N)`, end to end, as
  the nightly load runs it (batches sized for N workers, CSVs landed by the parent);
* with --workers N > 1, `extract_paths` over batches of files on N processes
  (concurrent.futures.ProcessPoolExecutor), extraction only, comparable with the row above.

Every run's counts must equal the samples' counts × copies (with --inbox: the counts of the
first run). Prints a table and writes bench/results_extract.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.templates import SAMPLES_DIR  # noqa: E402
from extract.pipeline import extract_file  # noqa: E402
from flows.extraction import extract_paths, run_extraction  # noqa: E402
from flows.inbox import list_documents  # noqa: E402
from flows.pool import ProcessPool, in_process  # noqa: E402
from flows.summary import summarise  # noqa: E402

RESULTS_FILE = Path(__file__).resolve().parent / "results_extract.json"
MB = 1_000_000
RUN_EXTRACTION = "run_extraction (+ CSVs)"
EXTRACT_PATHS = "extract_paths"
PROCESS_POOL = "extract_paths, process pool"
RUN_EXTRACTION_POOL = "run_extraction, ProcessPool"


@dataclass(slots=True)
class Counts:
    files: int = 0
    forms_by_type: Counter = field(default_factory=Counter)
    indicator_rows: int = 0
    budget_lines: int = 0
    errors: int = 0
    cpu_seconds: float = 0.0  # CPU time of the extracting process(es): not disturbed by other work

    @property
    def forms(self) -> int:
        return sum(self.forms_by_type.values())

    def add(self, other: Counts) -> None:
        self.files += other.files
        self.forms_by_type.update(other.forms_by_type)
        self.indicator_rows += other.indicator_rows
        self.budget_lines += other.budget_lines
        self.errors += other.errors
        self.cpu_seconds += other.cpu_seconds

    def as_json(self) -> dict:
        return {"files": self.files, "forms": self.forms, "forms_by_type": dict(sorted(self.forms_by_type.items())),
                "indicator_rows": self.indicator_rows, "budget_lines": self.budget_lines, "errors": self.errors}


def _counts_of(summary) -> Counts:
    return Counts(summary.files, Counter(summary.forms_by_type), summary.indicator_rows, summary.budget_lines,
                  summary.errors)


def _varied(data: bytes, name: str, copy: int) -> bytes:
    """The sample with one name changed: its project (or unit) name gets the copy number."""
    old = name.encode("utf-8")
    return data.replace(old, f"{name}-{copy}".encode(), 1)


def build_inbox(samples: Path, inbox: Path, megabytes: float) -> tuple[int, Counts, int]:
    """Copies of the samples until the inbox holds `megabytes`: (copies, expected counts, bytes)."""
    originals = []
    per_copy = Counts()
    for path in sorted(samples.glob("*.txt")):
        data = path.read_bytes()
        result = extract_file(path.name, data)
        first = result.documents[0]
        name = first.project_name or first.unit_name
        if not name or name.encode("utf-8") not in data:
            raise SystemExit(f"extract_throughput: no name to vary in {path.name}")
        originals.append((path.name, data, name))
        per_copy.add(_counts_of(summarise([result])))
    inbox.mkdir(parents=True)
    size = copies = 0
    while size < megabytes * MB:
        copies += 1
        for file_name, data, name in originals:
            varied = _varied(data, name, copies)
            (inbox / f"{copies:05d}_{file_name}").write_bytes(varied)
            size += len(varied)
    expected = Counts()
    for _ in range(copies):
        expected.add(per_copy)
    return copies, expected, size


def _extract_batch(paths: list[Path], inbox: Path) -> Counts:
    started = time.process_time()
    counts = _counts_of(summarise(extract_paths(paths, inbox)))
    counts.cpu_seconds = time.process_time() - started
    return counts


def run_parallel(inbox: Path, workers: int) -> tuple[Counts, float]:
    paths = list_documents(inbox)
    batch_size = max(1, len(paths) // (workers * 8))
    batches = [paths[i:i + batch_size] for i in range(0, len(paths), batch_size)]
    started = time.perf_counter()
    total = Counts()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for counts in pool.map(_extract_batch, batches, [inbox] * len(batches)):
            total.add(counts)
    return total, time.perf_counter() - started


def _run_once(mode: str, inbox: Path, staging: Path, workers: int) -> tuple[Counts, float]:
    if mode in (RUN_EXTRACTION, RUN_EXTRACTION_POOL):
        started = time.process_time()
        children = _children_cpu()
        mapper = ProcessPool(workers) if mode == RUN_EXTRACTION_POOL else in_process
        summary = run_extraction(inbox, staging, staging.parent / "quarantine", mapper=mapper)
        counts = _counts_of(summary)
        counts.cpu_seconds = time.process_time() - started + _children_cpu() - children
        return counts, summary.seconds
    if mode == EXTRACT_PATHS:
        started = time.perf_counter()
        counts = _extract_batch(list_documents(inbox), inbox)
        return counts, time.perf_counter() - started
    return run_parallel(inbox, workers)


def _children_cpu() -> float:
    """CPU seconds of the worker processes this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def existing_inbox(inbox: Path) -> tuple[Counts, int]:
    """An inbox given on the command line: its byte count, and the counts one process finds
    (the expectation every timed run must meet)."""
    with tempfile.TemporaryDirectory(prefix="perfbudget-throughput-") as tmp:
        expected = _counts_of(run_extraction(inbox, Path(tmp) / "staging", Path(tmp) / "quarantine",
                                             mapper=in_process))
    return expected, sum(path.stat().st_size for path in list_documents(inbox))


def measure(inbox: Path, staging: Path, workers: int, repeat: int) -> list[tuple[str, int, Counts, list[float]]]:
    """Each run `repeat` times, interleaved (the machine is shared: the fastest run is the
    one least disturbed by other work)."""
    modes = [(RUN_EXTRACTION, 1), (EXTRACT_PATHS, 1)]
    if workers > 1:
        modes += [(RUN_EXTRACTION_POOL, workers), (PROCESS_POOL, workers)]
    seconds: dict[str, list[float]] = {mode: [] for mode, _ in modes}
    counts: dict[str, Counts] = {}
    for _ in range(repeat):
        for mode, processes in modes:
            found, took = _run_once(mode, inbox, staging, processes)
            if mode in counts and counts[mode].as_json() != found.as_json():
                raise SystemExit(f"extract_throughput: {mode} counted differently on a repeat")
            if not seconds[mode] or took < min(seconds[mode]):
                counts[mode] = found  # the fastest repeat's, with its CPU time
            seconds[mode].append(took)
    return [(mode, processes, counts[mode], seconds[mode]) for mode, processes in modes]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=20, help="inbox size in MB of 10^6 bytes (default 20)")
    parser.add_argument("--workers", type=int, default=1, help="processes for the parallel run (default 1: none)")
    parser.add_argument("--repeat", type=int, default=3, help="times each run is repeated; the fastest counts")
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="folder of sample documents")
    parser.add_argument("--inbox", type=Path, help="time this inbox (read only) instead of copies of the samples")
    parser.add_argument("--results", type=Path, default=RESULTS_FILE, help="where to write the JSON results")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="perfbudget-throughput-") as tmp:
        if args.inbox:
            inbox, copies = args.inbox, 0
            expected, size = existing_inbox(inbox)
        else:
            inbox = Path(tmp) / "inbox"
            copies, expected, size = build_inbox(args.samples, inbox, args.mb)
        load_before = os.getloadavg()
        runs = measure(inbox, Path(tmp) / "staging", args.workers, max(1, args.repeat))
        load_after = os.getloadavg()
    megabytes = size / MB
    source = str(args.inbox) if args.inbox else f"{copies} copies of {args.samples}"
    print(f"inbox: {source} = {expected.files} files, {expected.forms} forms, "
          f"{megabytes:.1f} MB; {os.cpu_count()} CPUs, Python {platform.python_version()}; "
          f"fastest of {max(1, args.repeat)}; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"{'run':30} {'procs':>5} {'MB':>7} {'files':>7} {'forms':>7} {'seconds':>8} {'MB/s':>7} {'forms/s':>8}"
          f" {'CPU s':>7} {'MB/CPU-s':>8}  counts")
    results = []
    all_ok = True
    for label, workers, counts, times in runs:
        seconds = min(times)
        ok = counts.as_json() == expected.as_json()
        all_ok &= ok
        print(f"{label:30} {workers:>5} {megabytes:>7.1f} {counts.files:>7} {counts.forms:>7} {seconds:>8.2f} "
              f"{megabytes / seconds:>7.2f} {counts.forms / seconds:>8.0f} {counts.cpu_seconds:>7.2f} "
              f"{megabytes / counts.cpu_seconds:>8.2f}  {'ok' if ok else 'MISMATCH'}")
        results.append({"run": label, "processes": workers, "seconds": round(seconds, 3),
                        "all_seconds": [round(t, 3) for t in times],
                        "mb_per_s": round(megabytes / seconds, 3), "forms_per_s": round(counts.forms / seconds, 1),
                        "cpu_seconds_of_fastest_repeat": round(counts.cpu_seconds, 3),
                        "counts": counts.as_json(), "counts_ok": ok})
    if not all_ok:
        print(f"expected: {expected.as_json()}")
    report = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_1_5_15_before": load_before, "load_average_1_5_15_after": load_after},
        "inbox": {"path": str(args.inbox) if args.inbox else None, "copies": copies, "bytes": size,
                  "mb": round(megabytes, 3), "expected": expected.as_json()},
        "runs": results,
    }
    args.results.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.results}")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
