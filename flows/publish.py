"""Publish a checked build over the warehouse by atomic rename; keep builds for rollback.

DuckDB lets one writer or many readers hold a file (STACK.md trap 3), so the published file
is never written in place. The nightly load publishes its build itself: dbt's DuckDB has
flushed it to disk when it closed it, and it is `os.replace`d over the published file: a reader
that opened the old file keeps reading the old inode, whole, until it closes; a reader that
opens the path afterwards gets the new build; nobody ever sees a partial file, and no reader
blocks the publish. Its copy, made by a thread while the marts gate reads the build
(`BackgroundCopy`), is kept as `builds/<run_id>.duckdb`; the three published last are kept, so
`rollback` can put an earlier one back (copied, then renamed in). The published run's kept
build is also where the next incremental build starts (MovedBuild): renamed into place, and
replaced among the kept builds by the outgoing published file when that build is published
(`keep_published`), so a night copies one file, not two.

"Last" is publish order, recorded in `builds/publish_order.jsonl` (one line per publish,
healed like the run log when a line is damaged), not run-id order: run ids start with the
clock's time, and a clock set back would make a new build sort oldest and be pruned at once.
The published file and the kept builds are mode 0644 whatever the process umask, so BI
users other than the loader can open them read-only.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from flows.inputs import published_run_of
from flows.layout import KEEP_BUILDS, LOCK_NAME, WarehouseLayout
from flows.runlog import append_jsonl, read_jsonl, utc_now

PUBLISHED_MODE = 0o644
ORDER_FILE = "publish_order.jsonl"


class LoadInProgress(RuntimeError):
    """Another nightly load holds the warehouse lock."""


@contextlib.contextmanager
def exclusive_load(layout: WarehouseLayout) -> Iterator[None]:
    """One load at a time per warehouse, and per staging or quarantine folder given from
    outside the warehouse (two warehouses that knowingly share one never write it at once).
    The kernel drops the locks when the process dies, so a SIGKILLed load never blocks the
    next one."""
    layout.root.mkdir(parents=True, exist_ok=True)
    with contextlib.ExitStack() as locks:
        for lock_file, what in ((layout.lock, layout.root),
                                *((folder / LOCK_NAME, folder) for folder in layout.outside_folders())):
            lock_file.parent.mkdir(parents=True, exist_ok=True)
            handle = locks.enter_context(lock_file.open("a"))
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as err:
                raise LoadInProgress(f"another nightly load is running on {what}") from err
            locks.callback(fcntl.flock, handle, fcntl.LOCK_UN)
        yield


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def temp_beside(target: Path) -> Path:
    """Where a copy is made before it is renamed over `target` (clear_unfinished removes it
    after a killed load)."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def _replace_atomically(source: Path, target: Path) -> None:
    """Copy `source` beside `target`, flush it, then rename it over `target`."""
    temp = temp_beside(target)
    try:
        shutil.copyfile(source, temp)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _replace_with(temp, target)


def _replace_with(temp: Path, target: Path, flush: bool = True) -> None:
    """Flush a finished copy beside `target` (`flush`: a build DuckDB flushed needs none), then
    rename it over `target`."""
    try:
        with temp.open("rb+") as stream:
            os.fchmod(stream.fileno(), PUBLISHED_MODE)  # readable by BI whatever the umask
            if flush:
                os.fsync(stream.fileno())
        # a WAL beside the target belongs to the old file (someone opened it read-write, against
        # the contract); left there, DuckDB would replay it onto the new one
        target.with_name(target.name + ".wal").unlink(missing_ok=True)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


COPY_CHUNK = 64 * 1024 * 1024


class BackgroundCopy:
    """A copy of a closed DuckDB file made by a thread while the load goes on reading it.

    Publishing keeps a copy of the build (4.4 GB at 100 000 forms; two files, so a reader's file
    and the rollback copy never share pages): the load makes that copy while its marts gate and
    row count read the build, instead of waiting for it. An incremental
    build starts from a copy of the published file only when the published run's kept build
    cannot be moved into place (MovedBuild); the load makes that one while the changed files
    are parsed and its staging gate runs (from when extraction finds that the CSVs change).
    The kernel copies (os.copy_file_range) in 64 MB steps, so `discard` stops a copy within one
    step when a gate fails or the load is stopped. The copy is not flushed to disk (see
    `publish` for why it need not be).
    Nothing may write the source, nor open the destination, until `wait` returns."""

    def __init__(self, source: Path, destination: Path) -> None:
        self.source, self.destination = source, destination
        self.waited = 0.0
        self._stop = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._copy, name=f"copy of {source.name}", daemon=True)
        self._thread.start()

    def _copy(self) -> None:
        try:
            with self.source.open("rb") as source, self.destination.open("wb") as destination:
                try:
                    while not self._stop.is_set() and os.copy_file_range(
                            source.fileno(), destination.fileno(), COPY_CHUNK):
                        pass
                except OSError:  # a file system or kernel without copy_file_range: copy in Python
                    destination.seek(source.tell())
                    while not self._stop.is_set() and (chunk := source.read(COPY_CHUNK)):
                        destination.write(chunk)
        except BaseException as err:  # handed to wait()
            self._error = err

    def wait(self) -> Path:
        """The finished copy; raises what the copy met. `waited`
        then holds the seconds the caller spent here (the part of the copy not overlapped)."""
        started = time.perf_counter()
        self._thread.join()
        self.waited = time.perf_counter() - started
        if self._error is not None or self._stop.is_set():
            self.destination.unlink(missing_ok=True)
            raise RuntimeError(f"copy of {self.source} to {self.destination} failed") from self._error
        return self.destination

    def discard(self) -> None:
        """Stop the copy (within one step) and remove what it wrote."""
        self._stop.set()
        self._thread.join()
        self.destination.unlink(missing_ok=True)


class MovedBuild:
    """The kept build of the published run, moved (renamed, not copied) to be where an
    incremental build starts: the same tables as the published file, since it is the copy of
    the build that was published, and the same run log was written into both. Renaming takes no
    time, where a copy of the published file (BackgroundCopy) was ~3.4 GB of writing that the
    night waited ~12 s for at 100 000 forms. It was kept without a flush to disk (`publish`), so
    it is flushed first. The same interface as BackgroundCopy: `source` is the published file
    whose tables the build starts from; `discard` puts the build back while nothing has written
    it. Publishing gives the run its kept build again (`keep_published`)."""

    def __init__(self, kept: Path, destination: Path, source: Path) -> None:
        with kept.open("rb+") as stream:  # written without a flush when it was kept (`publish`)
            os.fsync(stream.fileno())
        os.replace(kept, destination)
        self.kept, self.destination, self.source = kept, destination, source
        self.waited = 0.0

    def wait(self) -> Path:
        return self.destination

    def discard(self) -> None:
        """Put the (unwritten) build back in its place among the kept builds."""
        if self.destination.exists() and not self.kept.exists():
            os.replace(self.destination, self.kept)


def keep_published(layout: WarehouseLayout) -> None:
    """Give the published file its place among the kept builds (that of the run
    `published_inputs.json` records it as) when that place is empty: a hard link, no copy. It
    is empty when a night moved the kept build into its own build (MovedBuild) and then failed
    or was killed, and at every publish of such a build, just before the published file is
    replaced: the old file then lives on under builds/ alone. While both names share the file,
    nothing moves it into a build (flows.delta only moves a kept build that is not the
    published file); a rollback copies it as it copies any kept build."""
    run_id = published_run_of(layout)
    if run_id is None:
        return
    kept = layout.build_of(run_id)
    if kept.exists() or not layout.published.exists():
        return
    with contextlib.suppress(FileExistsError):
        os.link(layout.published, kept)


def clear_unfinished(layout: WarehouseLayout) -> list[Path]:
    """Remove what a killed load left behind: the build in progress and temp copies.
    Call it holding the lock."""
    leftovers = [layout.building, layout.building.with_name(layout.building.name + ".wal"),
                 *layout.root.glob(f".{layout.published.name}.*.tmp"),
                 *layout.root.glob(f".{layout.published.name}.*.tmp.wal"),
                 *layout.builds.glob(".*.duckdb.*.tmp"), *layout.builds.glob(".*.duckdb.*.tmp.wal")]
    removed = [path for path in leftovers if path.exists()]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGTERM and SIGINT wait (blocked, then delivered) until the block ends: the published
    file, the publish order and the kept build change together or not at all."""
    signals = {signal.SIGTERM, signal.SIGINT}
    try:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - no pthread_sigmask
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def publish(build: Path, layout: WarehouseLayout, run_id: str, copied: Path | None = None) -> Path:
    """Make `build` the published warehouse and keep a copy as `builds/<run_id>.duckdb`, prune
    to the three published last. The build is renamed over the published file (DuckDB flushed
    it to disk when its last connection closed) and the copy into its place among the kept
    builds. `copied`: that copy, made while the marts gate ran (BackgroundCopy, `kept_temp`);
    without it, it is made here. The copy is not flushed: the next night moves it into its
    build only within the same boot of the machine (flows.delta), and flushes it first. When
    the night moved the published run's kept build into this build (MovedBuild), the file being
    replaced takes that kept build's place (`keep_published`). Returns the published path."""
    for database in (build, copied):
        if database is not None and database.with_name(database.name + ".wal").exists():
            raise RuntimeError(f"{database} still has a write-ahead log: a connection was not closed")
    if copied is None:
        copied = kept_temp(layout, run_id)
        try:
            shutil.copyfile(build, copied)
        except BaseException:
            copied.unlink(missing_ok=True)
            raise
    kept = layout.build_of(run_id)
    with _signals_deferred():
        keep_published(layout)
        _replace_with(build, layout.published, flush=False)
        # recorded before the move: a build on disk always has its place in the order
        _record_publish(layout, run_id)
        os.chmod(copied, PUBLISHED_MODE)
        os.replace(copied, kept)
        _fsync_dir(kept.parent)
    prune_builds(layout)
    return layout.published


def kept_temp(layout: WarehouseLayout, run_id: str) -> Path:
    """Where the copy of a build is made before `publish` keeps it (clear_unfinished removes it
    after a killed load)."""
    return temp_beside(layout.build_of(run_id))


def _order_path(layout: WarehouseLayout) -> Path:
    return layout.builds / ORDER_FILE


def _order_problem(row: dict) -> str | None:
    run_id = row.get("run_id")
    if not isinstance(run_id, str) or not run_id or "/" in run_id or run_id.startswith("."):
        return "no run id of a build"
    return None


def _record_publish(layout: WarehouseLayout, run_id: str) -> None:
    append_jsonl(_order_path(layout), [{"run_id": run_id, "published_at": utc_now()}])


def publish_order(layout: WarehouseLayout) -> list[dict]:
    """Publish events, oldest first, one per run id (its last publish); damaged lines are
    skipped with a `RunLogWarning` naming the file and the line."""
    latest: dict[str, dict] = {}
    for row in read_jsonl(_order_path(layout), _order_problem):
        latest.pop(row["run_id"], None)
        latest[row["run_id"]] = row
    return list(latest.values())


def kept_builds(layout: WarehouseLayout) -> list[Path]:
    """Kept builds, published last first. A build the order does not know (kept by an older
    version of this code) counts as older than every recorded one, by run id among them."""
    builds = [p for p in layout.builds.glob("*.duckdb") if not p.name.startswith(".")]
    position = {row["run_id"]: index for index, row in enumerate(publish_order(layout))}
    return sorted(builds, key=lambda p: (p.stem in position, position.get(p.stem, -1), p.stem), reverse=True)


def prune_builds(layout: WarehouseLayout, keep: int = KEEP_BUILDS) -> None:
    """Delete builds beyond the `keep` published last; the kept ones are made 0644, and the
    order file is rewritten (atomically) with their lines only, so it stays short."""
    builds = kept_builds(layout)
    for old in builds[keep:]:
        old.unlink(missing_ok=True)
    kept = builds[:keep]
    for build in kept:
        with contextlib.suppress(OSError):
            if build.stat().st_mode & 0o777 != PUBLISHED_MODE:
                build.chmod(PUBLISHED_MODE)
    _compact_order(layout, {build.stem for build in kept})


def _compact_order(layout: WarehouseLayout, keep: set[str]) -> None:
    path = _order_path(layout)
    if not path.exists():
        return
    rows = [row for row in publish_order(layout) if row["run_id"] in keep]
    text = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if path.read_bytes() == text.encode("utf-8"):
        return
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temp.open("wb") as stream:
            stream.write(text.encode("utf-8"))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def rollback(layout: WarehouseLayout, run_id: str | None = None) -> Path:
    """Publish a kept build again: `run_id`'s, or by default the one published before the
    newest. A rollback does not change the publish order."""
    with exclusive_load(layout):
        keep_published(layout)  # a failed or killed night moved its kept build
        builds = kept_builds(layout)
        if run_id is not None:
            chosen = layout.build_of(run_id)
            if not chosen.exists():
                raise FileNotFoundError(f"no kept build {chosen.name}; kept: {[p.stem for p in builds]}")
        elif len(builds) < 2:
            raise FileNotFoundError("no earlier build to roll back to")
        else:
            chosen = builds[1]
        with _signals_deferred():
            _replace_atomically(chosen, layout.published)
    return chosen
