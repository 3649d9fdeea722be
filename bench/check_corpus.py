"""Generate a corpus of N forms, extract it, and compare with what was generated.

    .venv/bin/python bench/check_corpus.py 10000 --seed 3

Prints generated and extracted counts side by side (files, forms by doc_type, indicator
rows, budget lines, narratives, issues) and exits 1 on any difference or any extraction
issue: every generated layout is one the samples have, so the extractor must read all of it.
Beyond the totals, each form is compared with the sample form it was made from, through
the staging CSVs the extraction landed: same doc_type, same number of budget lines, and the
same indicator rows (一级, 二级, 三级 labels as printed) — rows only moved inside their group.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import COUNTS_FILE, write_corpus  # noqa: E402
from bench.templates import SAMPLES_DIR, TemplateSet, load_templates  # noqa: E402
from flows.extraction import run_extraction  # noqa: E402
from flows.summary import ExtractionSummary  # noqa: E402


def compare(generated: dict, summary: ExtractionSummary) -> list[tuple[str, object, object]]:
    """(measure, generated, extracted) for every measure, in print order."""
    rows = [("files", generated["files"], summary.files), ("forms", generated["forms"], summary.forms)]
    kinds = sorted(set(generated["forms_by_type"]) | set(summary.forms_by_type))
    rows += [(f"  {kind}", generated["forms_by_type"].get(kind, 0), summary.forms_by_type.get(kind, 0))
             for kind in kinds]
    rows += [
        ("indicator rows", generated["indicator_rows"], summary.indicator_rows),
        ("budget lines", generated["budget_lines"], summary.budget_lines),
        ("narratives", generated["narratives"], summary.narratives),
        ("bytes", generated["bytes"], summary.bytes_read),
        ("error issues", 0, summary.errors),
        ("warning issues", 0, summary.warnings),
    ]
    return rows


def _read_csv(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        yield from csv.DictReader(handle)


def form_mismatches(by_file: dict[str, list[str]], staging: Path, templates: TemplateSet) -> list[str]:
    """Forms whose extracted rows differ from their template's, one message each."""
    documents = {(row["source_file"], int(row["part_seq"])): row for row in _read_csv(staging / "documents.csv")}
    labels: dict[str, list[tuple[str, str, str]]] = {}
    for row in _read_csv(staging / "indicators.csv"):
        labels.setdefault(row["doc_id"], []).append((row["level1_raw"], row["level2_raw"], row["level3_raw"]))
    budget_lines: dict[str, int] = {}
    for row in _read_csv(staging / "budget_lines.csv"):
        budget_lines[row["doc_id"]] = budget_lines.get(row["doc_id"], 0) + 1
    problems = []
    for source_file, names in by_file.items():
        for part_seq, name in enumerate(names, start=1):
            template = templates.by_name[name]
            where = f"{source_file} form {part_seq} (template {name})"
            document = documents.get((source_file, part_seq))
            if document is None:
                problems.append(f"{where}: not extracted")
                continue
            doc_id = document["doc_id"]
            if document["doc_type"] != template.doc_type:
                problems.append(f"{where}: doc_type {document['doc_type']}, generated {template.doc_type}")
            if budget_lines.get(doc_id, 0) != template.budget_lines:
                problems.append(f"{where}: {budget_lines.get(doc_id, 0)} budget lines, "
                                f"generated {template.budget_lines}")
            found = tuple(sorted(labels.get(doc_id, [])))
            if found != template.indicator_labels:
                missing = sorted(set(template.indicator_labels) - set(found))[:2]
                extra = sorted(set(found) - set(template.indicator_labels))[:2]
                problems.append(f"{where}: indicator rows differ ({len(found)} vs {template.indicator_rows}); "
                                f"expected but not found {missing}, found but not generated {extra}")
    return problems


def check(n_forms: int, seed: int, work: Path, samples: Path = SAMPLES_DIR) -> tuple[bool, list, dict, list[str]]:
    inbox = work / "inbox"
    started = time.perf_counter()
    write_corpus(n_forms, inbox, seed=seed, samples_dir=samples)
    generate_seconds = time.perf_counter() - started
    # the counts file is no document: keep it out of the inbox the extractor reads
    counts_path = work / COUNTS_FILE
    shutil.move(inbox / COUNTS_FILE, counts_path)
    generated = json.loads(counts_path.read_text(encoding="utf-8"))
    summary = run_extraction(inbox, work / "staging", work / "quarantine")
    problems = form_mismatches(generated["by_file"], work / "staging", load_templates(samples))
    rows = [*compare(generated, summary), ("forms differing", 0, len(problems))]
    timing = {"generate_seconds": generate_seconds, "extract_seconds": summary.seconds}
    return all(expected == found for _, expected, found in rows), rows, timing, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n_forms", type=int, help="number of forms to generate")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="folder of sample documents (templates)")
    parser.add_argument("--keep", type=Path, help="work in this (new) folder and keep it, instead of a temp dir")
    args = parser.parse_args(argv)
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=False)
        ok, rows, timing, problems = check(args.n_forms, args.seed, args.keep, args.samples)
    else:
        with tempfile.TemporaryDirectory(prefix="perfbudget-corpus-") as tmp:
            ok, rows, timing, problems = check(args.n_forms, args.seed, Path(tmp), args.samples)
    print(f"corpus of {args.n_forms} forms, seed {args.seed}: generated in {timing['generate_seconds']:.1f} s, "
          f"extracted in {timing['extract_seconds']:.1f} s")
    print(f"{'':16} {'generated':>12} {'extracted':>12}")
    for measure, expected, found in rows:
        mark = "" if expected == found else "   MISMATCH"
        print(f"{measure:16} {expected:>12} {found:>12}{mark}")
    for problem in problems[:10]:
        print(f"  {problem}")
    print("OK: extraction equals the generated corpus" if ok else "FAIL: extraction differs from the generated corpus")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
