"""Throughput of the document readers (extract/readers) against the bare library parse of the
same files, measured in the same run: what our model building costs on top of the library.

The five samples are rendered into each format (tests/extract/readers/render.py, needs the dev
extra: reportlab, xlwt) and the renderings repeated until each format's corpus is a few MB (PDF:
its pages read a few times). For each format:

  ours     read_document(name, data) → Document, and its rows (extract/document_rows.py)
  library  text: extract/decode.py + extract/cells.py (the text path before the readers); html: lxml.html.fromstring;
           xlsx: openpyxl.load_workbook (full mode, as ours); xls: xlrd.open_workbook(formatting_info);
           docx: docx.Document; pdf: pdfplumber, page.extract_tables() on every page

Ours is timed up to the rows the layout code reads (read, then rows_of), for every format: that
is the whole read the pipeline does, and a reader that defers work to when its cells are asked
(model.Table.deferred, Table.laid_out: the pipeline reads only rows_of, which makes no cell of
them) must pay for it here, not look faster than it is. Text is the one format whose floor is
not a library but the path the reader replaced, which gave the layout code its rows.

How it is timed: each side reads the whole corpus in one pass, ours and the library's passes
alternate `--repeat` times and each side's best pass counts (a shared machine's load comes and
goes). A pass is timed in CPU time of this process (time.process_time), and the garbage
collector is run, untimed, before each pass: the libraries' documents hold reference cycles
(openpyxl's workbook and its sheets, python-docx's parts), which only the collector frees, so
without it a pass pays for freeing the previous pass's documents whenever the collector happens
to run. Within a pass the collector runs as it would, for what that pass allocates.

    .venv/bin/python bench/readers_throughput.py [--mb 3] [--pdf-rounds 2] [--repeat 3] [--formats text,html]
"""

from __future__ import annotations

import argparse
import gc
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from extract.readers import read_document  # noqa: E402
from tests.extract.readers.render import RENDERERS, SUFFIX  # noqa: E402


def _library(kind: str) -> Callable[[bytes], object]:
    if kind == "text":
        from extract.cells import to_rows
        from extract.decode import decode_document
        return lambda data: to_rows(decode_document(data).text)
    if kind == "html":
        import lxml.html
        return lxml.html.fromstring
    if kind == "xlsx":
        import openpyxl
        return lambda data: openpyxl.load_workbook(io.BytesIO(data), read_only=False, data_only=True)
    if kind == "xls":
        import xlrd
        return lambda data: xlrd.open_workbook(file_contents=data, formatting_info=True)
    if kind == "docx":
        import docx
        return lambda data: docx.Document(io.BytesIO(data))
    if kind == "pdf":
        import pdfplumber

        def tables(data: bytes) -> list:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                return [page.extract_tables() for page in pdf.pages]
        return tables
    raise ValueError(kind)


def _pages(data: bytes) -> int:
    import pdfplumber
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def _ours(kind: str) -> Callable[[str, bytes], object]:
    """Our side: the reader and the rows the layout code reads (see the module's doc)."""
    from extract.document_rows import rows_of
    return lambda name, data: rows_of(read_document(name, data))


def _timed(function: Callable[[bytes], object], corpus: list[tuple[str, bytes]],
           ours: Callable[[str, bytes], object] | None) -> float:
    """CPU seconds of one pass over the corpus (ours when given, else the library's), the
    garbage of earlier passes collected first."""
    gc.collect()
    started = time.process_time()
    for name, data in corpus:
        ours(name, data) if ours is not None else function(data)
    return time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=3.0, help="corpus size per format (not PDF)")
    parser.add_argument("--pdf-rounds", type=int, default=2, help="times each rendered PDF is read")
    parser.add_argument("--repeat", type=int, default=3, help="passes per side; the best counts")
    parser.add_argument("--formats", default="", help="comma-separated formats to measure (default: all)")
    args = parser.parse_args()

    samples = sorted((REPO / "data" / "samples").glob("*.txt"))
    texts = {path.stem: read_document(path.name, path.read_bytes()) for path in samples}
    print(f"{'format':<6} {'files':>6} {'size':>9} {'ours':>14} {'library':>14} {'ours/library':>13}")
    wanted = set(filter(None, args.formats.split(",")))
    for kind in ("text", *RENDERERS):
        if wanted and kind not in wanted:
            continue
        if kind == "text":
            rendered = [(path.name, path.read_bytes()) for path in samples]
        else:
            rendered = [(stem + SUFFIX[kind], RENDERERS[kind](doc)) for stem, doc in texts.items()]
        size = sum(len(data) for _, data in rendered)
        rounds = args.pdf_rounds if kind == "pdf" else max(1, round(args.mb * 1e6 / size))
        corpus = rendered * rounds
        library, ours = _library(kind), _ours(kind)
        ours_s = library_s = float("inf")
        for _ in range(max(1, args.repeat)):
            ours_s = min(ours_s, _timed(library, corpus, ours))
            library_s = min(library_s, _timed(library, corpus, None))
        if kind == "pdf":
            pages = sum(_pages(data) for _, data in rendered) * rounds
            unit, ours_rate, library_rate = "p/s", pages / ours_s, pages / library_s
            amount = f"{pages} p"
        else:
            megabytes = size * rounds / 1e6
            unit, ours_rate, library_rate = "MB/s", megabytes / ours_s, megabytes / library_s
            amount = f"{megabytes:.2f} MB"
        print(f"{kind:<6} {len(corpus):>6} {amount:>9} {ours_rate:>8.2f} {unit:<5} {library_rate:>8.2f} {unit:<5}"
              f" {ours_rate / library_rate:>12.2f}x")


if __name__ == "__main__":
    main()
