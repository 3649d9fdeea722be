"""Write a synthetic corpus of N forms derived from the sample layouts.

    .venv/bin/python bench/make_corpus.py 100000 /tmp/corpus --seed 7

Writes OUT/*.txt (one to twenty forms per file) and OUT/corpus_counts.json with what was
generated (files, forms by doc_type, indicator rows, budget lines, narratives, bytes), so an
extraction of OUT can be checked row for row. The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import COUNTS_FILE, write_corpus  # noqa: E402
from bench.templates import SAMPLES_DIR  # noqa: E402


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n_forms", type=int, help="number of forms to generate")
    parser.add_argument("out", type=Path, help="folder to write the corpus into (new or empty)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--samples", type=Path, default=SAMPLES_DIR, help="folder of sample documents (templates)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.n_forms < 1:
        print("make_corpus: N must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        counts = write_corpus(args.n_forms, args.out, seed=args.seed, samples_dir=args.samples)
    except FileExistsError as err:
        print(f"make_corpus: {err}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    by_type = ", ".join(f"{kind} {count}" for kind, count in sorted(counts.forms_by_type.items()))
    print(f"wrote {counts.forms} forms in {counts.files} files to {args.out} in {seconds:.1f} s")
    print(f"  forms            {by_type}")
    print(f"  indicator rows   {counts.indicator_rows}")
    print(f"  budget lines     {counts.budget_lines}")
    print(f"  bytes            {counts.bytes} ({counts.bytes / 2**20:.1f} MiB)")
    print(f"  counts           {args.out / COUNTS_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
