"""`perfbudget` command line: extract an inbox into staging CSVs; run the nightly load once
(`run`) or on its schedule (`serve`) — those handlers live in flows/cli.py."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.extraction import run_extraction
from flows.inbox import InboxError


def _progress_printer(every: int = 50):
    def report(done: int, total: int) -> None:
        if total >= every and (done % every == 0 or done == total):
            print(f"  extracted {done}/{total} files", file=sys.stderr, flush=True)
    return report


def _cmd_extract(args: argparse.Namespace) -> int:
    try:
        summary = run_extraction(Path(args.inbox), Path(args.out),
                                 Path(args.quarantine) if args.quarantine else None,
                                 progress=_progress_printer())
    except InboxError as err:
        print(f"perfbudget extract: {err}", file=sys.stderr)
        return 2
    print(f"extracted {args.inbox} → {args.out}")
    for line in summary.lines():
        print(f"  {line}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perfbudget", description=__doc__)
    verbs = parser.add_subparsers(dest="verb", required=True)
    extract = verbs.add_parser("extract", help="extract an inbox of documents into staging CSVs")
    extract.add_argument("--inbox", required=True, help="folder of published documents")
    extract.add_argument("--out", required=True, help="folder for the staging CSVs")
    extract.add_argument("--quarantine", help="folder for bad documents (default: OUT/../quarantine)")
    extract.set_defaults(run=_cmd_extract)
    from flows.cli import add_verbs

    add_verbs(verbs)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
