"""Publish a checked build over the warehouse by atomic rename; keep builds for rollback.

DuckDB lets one writer or many readers hold a file (STACK.md trap 3), so the published file
is never written in place. A build is copied next to the published file under a temporary
name, flushed to disk, and `os.replace`d over it: a reader that opened the old file keeps
reading the old inode, whole, until it closes; a reader that opens the path afterwards gets
the new build; nobody ever sees a partial file, and no reader blocks the publish. The build
itself moves to `builds/<run_id>.duckdb`; the newest three are kept, so `rollback` can put
an earlier one back the same way.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from flows.layout import KEEP_BUILDS, WarehouseLayout


class LoadInProgress(RuntimeError):
    """Another nightly load holds the warehouse lock."""


@contextlib.contextmanager
def exclusive_load(layout: WarehouseLayout) -> Iterator[None]:
    """One load at a time per warehouse. The kernel drops the lock when the process dies,
    so a SIGKILLed load never blocks the next one."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with layout.lock.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise LoadInProgress(f"another nightly load is running on {layout.root}") from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _replace_atomically(source: Path, target: Path) -> None:
    """Copy `source` beside `target`, flush it, then rename it over `target`."""
    temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        shutil.copyfile(source, temp)
        with temp.open("rb+") as stream:
            os.fsync(stream.fileno())
        # a WAL beside the target belongs to the old file (someone opened it read-write, against
        # the contract); left there, DuckDB would replay it onto the new one
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def clear_unfinished(layout: WarehouseLayout) -> list[Path]:
    """Remove what a killed load left behind: the build in progress and temp copies.
    Call it holding the lock."""
    leftovers = [layout.building, layout.building.with_name(layout.building.name + ".wal"),
                 *layout.root.glob(f".{layout.published.name}.*.tmp")]
    removed = [path for path in leftovers if path.exists()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def publish(build: Path, layout: WarehouseLayout, run_id: str) -> Path:
    """Make `build` the published warehouse, keep it as `builds/<run_id>.duckdb`, prune to
    the newest three. Returns the published path."""
    if build.with_name(build.name + ".wal").exists():
        raise RuntimeError(f"{build} still has a write-ahead log: a connection was not closed")
    _replace_atomically(build, layout.published)
    kept = layout.build_of(run_id)
    os.replace(build, kept)
    prune_builds(layout)
    return layout.published


def kept_builds(layout: WarehouseLayout) -> list[Path]:
    """Kept builds, newest first (run ids sort by time)."""
    return sorted((p for p in layout.builds.glob("*.duckdb") if not p.name.startswith(".")), reverse=True)


def prune_builds(layout: WarehouseLayout, keep: int = KEEP_BUILDS) -> None:
    for old in kept_builds(layout)[keep:]:
        old.unlink(missing_ok=True)


def rollback(layout: WarehouseLayout, run_id: str | None = None) -> Path:
    """Publish a kept build again: `run_id`'s, or by default the one before the newest."""
    builds = kept_builds(layout)
    if run_id is not None:
        chosen = layout.build_of(run_id)
        if not chosen.exists():
            raise FileNotFoundError(f"no kept build {chosen.name}; kept: {[p.stem for p in builds]}")
    elif len(builds) < 2:
        raise FileNotFoundError("no earlier build to roll back to")
    else:
        chosen = builds[1]
    with exclusive_load(layout):
        _replace_atomically(chosen, layout.published)
    return chosen


def main(argv: list[str] | None = None) -> int:
    """`python -m flows.publish rollback [--warehouse DIR] [--run-id ID]`; `list` shows kept builds."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m flows.publish", description=main.__doc__)
    parser.add_argument("action", choices=["list", "rollback"])
    parser.add_argument("--warehouse", default="data/warehouse")
    parser.add_argument("--run-id", help="the kept build to publish (default: the one before the newest)")
    args = parser.parse_args(argv)
    layout = WarehouseLayout.at(args.warehouse)
    if args.action == "list":
        for build in kept_builds(layout):
            print(build.stem)
        return 0
    chosen = rollback(layout, args.run_id)
    print(f"published {chosen.name} as {layout.published}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
