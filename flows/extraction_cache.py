"""The extraction cache: the manifest of the inbox as last seen, and each file's rows by content.

The manifest remembers, per inbox path, its size, mtime_ns, ctime_ns and the sha256 of the
bytes last parsed, when each content was first seen, and what the last refresh landed; the
row cache keeps each file's rendered (and screened) rows under that sha256. Both are only
valid for one `cache_version()`. The incremental refresh (flows.incremental) decides what to
parse and what to reuse from them; this module only stores and reads them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from expectations.document_gate import load_document_gate
from extract import EXTRACTOR_VERSION
from extract.file_rows import FileRows, renamed
from extract.records import ExtractionIssue

MANIFEST_NAME = "manifest.json"
ROWS_FOLDER = "files"
REJECTIONS_NAME = "rejections.json"


# the flows modules that decide which rows land and how (listing, screening, landing): a change
# to them re-lands the inbox as a change to the extractor does
LANDING_MODULES = ("inbox.py", "pool.py", "extraction.py", "extraction_cache.py", "incremental.py", "landing.py",
                   "quarantine.py")


@functools.cache
def landing_version() -> str:
    """Hash of the landing code (LANDING_MODULES)."""
    digest = hashlib.sha256()
    for name in LANDING_MODULES:
        digest.update(name.encode() + b"\0" + (Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()[:12]


def cache_version() -> str:
    """What cached and landed rows depend on: the extractor (code and seeds), the document gate
    and the code that lands them."""
    return f"{EXTRACTOR_VERSION}/gate-{load_document_gate().version}/landing-{landing_version()}"


@dataclass(frozen=True, slots=True)
class FileState:
    """What the manifest knows about one inbox file."""

    path: str
    size: int
    mtime_ns: int
    ctime_ns: int
    sha256: str


def _state_fields(state: FileState) -> dict[str, object]:
    """A FileState as its manifest entry (what `asdict` gives, without its deep copy of each value)."""
    return {"path": state.path, "size": state.size, "mtime_ns": state.mtime_ns, "ctime_ns": state.ctime_ns,
            "sha256": state.sha256}


def write_json_atomic(target: Path, payload: object) -> None:
    """Write `payload` as JSON to a temp file renamed over `target`: a reader (or a killed
    write) never leaves half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # json.dumps, not json.dump: dump writes through the pure-Python encoder chunk by chunk,
        # dumps runs the C encoder (a manifest of ~19 000 entries, as 100 000 forms give, encodes
        # in 0.06 s against 0.21 s; it is written twice a night)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(json.dumps(payload, ensure_ascii=False))
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


class ExtractionCache:
    """The manifest (path → size, mtime_ns, ctime_ns, sha256; content → first seen) and the
    per-file row cache (sha256 → rows). A manifest that cannot be read is rebuilt, with a
    warning naming it: the cost is one re-hash of the inbox, never a failed run."""

    def __init__(self, cache_dir: Path, version: str | None = None):
        self.cache_dir = cache_dir
        self.version = version or cache_version()
        self.manifest_path = cache_dir / MANIFEST_NAME
        self.rows_dir = cache_dir / ROWS_FOLDER
        self.warnings: list[str] = []
        self._payload: dict | None = None

    def _manifest(self) -> dict:
        if self._payload is None:
            self._payload = self._read_manifest()
        return self._payload

    def _read_manifest(self) -> dict:
        try:
            payload = json.loads(self.manifest_path.read_bytes().decode("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, UnicodeDecodeError, ValueError) as err:
            return self._healed(f"{type(err).__name__}: {err}")
        if not isinstance(payload, dict) or not isinstance(payload.get("files", []), list):
            return self._healed(f"a JSON {type(payload).__name__}, not the manifest's object")
        return payload

    def _healed(self, reason: str) -> dict:
        message = (f"extraction manifest {self.manifest_path} is unreadable ({reason}); "
                   "rebuilt from the inbox (files are hashed again, rows come from the cache)")
        warnings.warn(message, stacklevel=3)
        self.warnings.append(message)
        return {}

    @property
    def current(self) -> bool:
        """The manifest (and so the cached rows) are of this cache version."""
        return self._manifest().get("cache_version") == self.version

    def load_manifest(self) -> dict[str, FileState]:
        if not self.current:
            return {}
        states = {}
        for entry in self._manifest().get("files", []):
            try:
                state = FileState(**entry)
            except TypeError:
                continue  # an entry of an older manifest: the file is hashed again
            states[state.path] = state
        return states

    def first_seen(self) -> dict[str, list[str]]:
        """content id → [first seen at, the file's mtime then]: kept across versions, since it
        is the inbox's history, not an extraction result."""
        seen = self._manifest().get("first_seen", {})
        return seen if isinstance(seen, dict) else {}

    def load_landed(self) -> dict | None:
        """What the last refresh landed: inbox fingerprint, CSV sizes/mtimes, summary counts."""
        if not self.current:
            return None
        landed = self._manifest().get("landed")
        return landed if isinstance(landed, dict) else None

    def rebase_landed(self, run_id: str) -> None:
        """The landing just published as run `run_id`: relative to that build nothing is left
        to land, so a next run that finds the inbox unchanged keeps the CSVs and skips."""
        payload = self._read_manifest()
        landed = payload.get("landed")
        if payload.get("cache_version") != self.version or not isinstance(landed, dict):
            return
        landed.update(base=run_id, changed_files=[])
        self._payload = payload
        write_json_atomic(self.manifest_path, payload)

    def save_manifest(self, states: dict[str, FileState], first_seen: dict[str, list[str]],
                      landed: dict | None = None) -> None:
        self._payload = {
            "cache_version": self.version,
            "files": [_state_fields(states[name]) for name in sorted(states)],
            "first_seen": first_seen,
            "landed": landed,
        }
        write_json_atomic(self.manifest_path, self._payload)

    def _rows_path(self, sha256: str) -> Path:
        return self.rows_dir / f"{sha256}.json"

    def has(self, sha256: str) -> bool:
        """Rows cached for this content by this cache version. A manifest of another version
        says every row file is stale; with no manifest (lost, or unreadable and rebuilt) each
        row file's own version stamp is read instead, so the rows are reused, not re-parsed."""
        if self.current:
            return self._rows_path(sha256).exists()
        if self._manifest():
            return False
        try:
            with self._rows_path(sha256).open("rb") as stream:
                head = stream.read(len(self.version) + 40)
        except OSError:
            return False
        return head.startswith(json.dumps({"cache_version": self.version}, ensure_ascii=False)[:-1].encode())

    def get(self, sha256: str, source_file: str) -> FileRows | None:
        """The cached rows of a file's content, relabelled with the name it has now."""
        try:
            payload = json.loads(self._rows_path(sha256).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, ValueError):
            return None
        if not isinstance(payload, dict) or payload.pop("cache_version", None) != self.version:
            return None
        try:
            file_rows = FileRows(**payload)
        except TypeError:
            return None
        if file_rows.source_file != source_file:
            file_rows = renamed(file_rows, source_file)
        return file_rows

    def put(self, sha256: str, file_rows: FileRows) -> None:
        write_json_atomic(self._rows_path(sha256), {"cache_version": self.version, **asdict(file_rows)})

    def prune(self, keep: set[str]) -> None:
        """Drop cached rows of contents no longer in the inbox."""
        if not self.rows_dir.exists():
            return
        for cached in self.rows_dir.glob("*.json"):
            if cached.stem not in keep:
                cached.unlink(missing_ok=True)

    # --- forms a dbt test rejected (flows.attribution): kept for the project they failed on ----

    def load_rejections(self, project: str) -> dict[str, list[ExtractionIssue]]:
        try:
            payload = json.loads((self.cache_dir / REJECTIONS_NAME).read_text(encoding="utf-8"))
            if payload.get("project") != project:
                return {}
            return {doc_id: [ExtractionIssue(**issue) for issue in issues]
                    for doc_id, issues in payload["documents"].items()}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            return {}

    def save_rejections(self, project: str, rejections: Mapping[str, list[ExtractionIssue]]) -> None:
        write_json_atomic(self.cache_dir / REJECTIONS_NAME, {
            "project": project,
            "documents": {doc_id: [asdict(issue) for issue in issues] for doc_id, issues in sorted(rejections.items())},
        })
