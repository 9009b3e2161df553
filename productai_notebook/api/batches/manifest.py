"""A batch's manifest: a small file (specs, job ids, stages, picks) that outlives the kernel.

`<name>.json` is JSON lines, so that a change costs a line, not the file:

- line 1, the header: `{"format": "productai-batch", "version": 2, "name", "created_at", "inputs": [...],
  "entries": [{"spec": {...}, "stage": ..., "job_id", "sent_at", "error": {"type", "message"},
  "candidates", "picks"}, ...]}` (the last five when there are some), written whole and atomically (a
  temporary file renamed over it) when the batch is made and when the file is compacted;
- then the journal: one line per change of an entry, appended as it happens (a create sent, created with
  its job id, failed with its error, lost with its candidates, a pick): `{"entry": 3, "stage": "created",
  "job_id": "..."}`, the entry's whole new state but its spec.

Reading folds the journal into the header (an entry's last line wins). The file is compacted (the
header rewritten with the file's own journal folded in, so lines another kernel appended stay) once
the journal outgrows the header, and when the batch's worker ends. A process killed mid-write leaves
at most a torn last line (no newline): it is ignored, and the next write compacts the file first. A
version 1 file (the header alone) reads as is. Any other damage, or a file that is not a batch
manifest, is a clear error naming the file (and the line), and the file is never overwritten.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..errors import InvalidArgumentError, ProductAIError
from .sender_lock import SenderLock

FORMAT = "productai-batch"
VERSION = 2
READABLE_VERSIONS = (1, 2)  # (1: the header alone, written whole on every change)

DEFAULT_BATCH_DIR = Path(".productai") / "batches"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")

# Where batches keep their manifests when a call gives no `batch_dir`: the notebook layer
# registers its `config.batch_dir` here (as it registers how a job displays itself).
_batch_dir_hook: Callable[[], str | Path] | None = None


class ManifestError(ProductAIError):
    """A batch manifest that cannot be read as one: corrupt, foreign, or of a newer version."""


def set_batch_dir_hook(hook: Callable[[], str | Path] | None) -> None:
    """Register where batches go when a call gives no `batch_dir` (the notebook's config)."""
    global _batch_dir_hook
    _batch_dir_hook = hook


def batch_folder(batch_dir: str | Path | None) -> Path:
    """The folder of the manifests: `batch_dir`, else the registered one, else .productai/batches."""
    if batch_dir is None and _batch_dir_hook is not None:
        batch_dir = _batch_dir_hook()
    return Path(batch_dir) if batch_dir is not None else DEFAULT_BATCH_DIR


def check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise InvalidArgumentError(
            "name", f"a batch name is letters, digits, '_', '-' and '.', at most 100, got {name!r}"
        )
    return name


def new_name(now: datetime | None = None) -> str:
    """A name made from the time: batch-20261204-071530."""
    return f"batch-{(now or datetime.now(timezone.utc)):%Y%m%d-%H%M%S}"


def manifest_path(name: str, batch_dir: str | Path | None) -> Path:
    return batch_folder(batch_dir) / f"{check_name(name)}.json"


def _compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _header(path: Path, line: bytes) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except (UnicodeDecodeError, ValueError) as error:
        raise ManifestError(
            f"{path} is not a readable batch manifest ({error}); it was left as it is: "
            "move it away, or open the batch under another name"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(
            f"{path} is not a batch manifest of this package (no \"format\": \"{FORMAT}\"); "
            "it was left as it is: give the batch another name, or another batch_dir="
        )
    if data.get("version") not in READABLE_VERSIONS or not isinstance(data.get("entries"), list):
        raise ManifestError(
            f"{path} is a batch manifest of version {data.get('version')!r}, which this version "
            f"({VERSION}) cannot read; it was left as it is"
        )
    return data


def _apply(entries: list[Any], change: dict[str, Any]) -> None:
    """One line of the journal: the entry it names takes the state it says."""
    state = dict(change)
    index = state.pop("entry")
    if not isinstance(index, int) or not 0 <= index < len(entries):
        raise ValueError(f"no entry {index!r}")
    entries[index] = {"spec": entries[index]["spec"], **state}


def _fold(path: Path, data: dict[str, Any], journal: list[bytes]) -> None:
    """Apply the journal's lines to the header's entries; a torn last line is left out."""
    for number, line in enumerate(journal, start=2):
        try:
            _apply(data["entries"], json.loads(line))
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as error:
            raise ManifestError(
                f"{path} is a damaged batch manifest (line {number}: {error}); it was left as it is"
            ) from None


def parse_manifest(path: Path, text: bytes) -> tuple[dict[str, Any], int]:
    """The manifest in `text` (the bytes of `path`), folded, and its header's size in bytes."""
    lines = text.split(b"\n")
    torn = lines.pop()  # b"" when the last write ended with its newline
    if not lines:  # one line and no newline: the header alone, as version 1 wrote it
        lines, torn = [torn], b""
    data = _header(path, lines[0])
    journal = lines[1:]
    if torn:
        try:  # (a kill right after the closing brace, before the newline: a whole line still)
            json.loads(torn)
            journal.append(torn)
        except ValueError:
            pass
    _fold(path, data, journal)
    return data, len(lines[0]) + 1


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest at `path`, its journal folded in; ManifestError naming the file when it is not
    one this package wrote (FileNotFoundError when there is none)."""
    return ManifestFile(path).read()


# every byte the manifests of this process wrote (the scale bench reports it per create)
_written = [0]
_written_lock = threading.Lock()


def bytes_written() -> int:
    """How many bytes the batch manifests of this process have written so far."""
    return _written[0]


def _count(size: int) -> None:
    with _written_lock:
        _written[0] += size


class ManifestFile:
    """One batch's manifest: made once, then changed by appended lines, compacted now and then
    (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.sender = SenderLock(path)
        self._header_bytes = 0
        self._journal_bytes = 0  # what the file holds beyond its header, as far as this worker knows

    def read(self) -> dict[str, Any]:
        """The manifest as it is on disk, folded (see `read_manifest`)."""
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            raise
        except OSError as error:
            raise ManifestError(f"{self.path} cannot be read ({error}); it was left as it is") from None
        data, header = parse_manifest(self.path, text)
        with self._lock:
            self._header_bytes, self._journal_bytes = header, max(0, len(text) - header)
        return data

    def create(self, data: dict[str, Any]) -> None:
        """Write the first version; FileExistsError when another process made this batch meanwhile."""
        with self._lock:
            self._write_whole(data, first=True)

    def record(self, changes: list[dict[str, Any]], whole: Callable[[], dict[str, Any]]) -> None:
        """Append one line per change (`{"entry": index, ...its state}`); the file is compacted
        instead when the journal would outgrow the header, or ends in a torn line. `whole()`: the
        manifest, changes made, for when the file is gone."""
        lines = "".join(_compact_json(change) + "\n" for change in changes).encode()
        with self._lock:
            if self._journal_bytes + len(lines) > self._header_bytes or not self._append(lines):
                self._compact(changes, whole)

    def compact(self, whole: Callable[[], dict[str, Any]]) -> None:
        """Fold the journal into the header (nothing to do when there is no journal)."""
        with self._lock:
            if self._journal_bytes:
                self._compact([], whole)

    def _compact(self, changes: list[dict[str, Any]], whole: Callable[[], dict[str, Any]]) -> None:
        # from the file, not from memory: lines another worker appended (its picks) are kept
        try:
            data, _ = parse_manifest(self.path, self.path.read_bytes())
        except FileNotFoundError:
            data = whole()
        else:
            for change in changes:
                _apply(data["entries"], change)
        self._write_whole(data, first=False)

    def _append(self, lines: bytes) -> bool:
        """Add `lines` at the end; False (nothing written) when the file ends in a torn line or is gone."""
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_APPEND | getattr(os, "O_BINARY", 0))
        except FileNotFoundError:
            return False
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                return False
            os.lseek(fd, size - 1, os.SEEK_SET)
            if os.read(fd, 1) != b"\n":
                return False
            done = 0
            while done < len(lines):  # (one write, unless the disk is full)
                done += os.write(fd, lines[done:])
        finally:
            os.close(fd)
        self._journal_bytes += len(lines)
        _count(len(lines))
        return True

    def _write_whole(self, data: dict[str, Any], *, first: bool) -> None:
        data = {"format": FORMAT, "version": VERSION, **data}
        data["version"] = VERSION  # (a version 1 file, compacted, is a version 2 one)
        text = (_compact_json(data) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(text)
            if first:
                os.link(temporary, self.path)  # atomic, and never over a file already there
            else:
                os.replace(temporary, self.path)  # atomic: a reader sees the old file or the new one
        finally:
            Path(temporary).unlink(missing_ok=True)
        self._header_bytes, self._journal_bytes = len(text), 0
        _count(len(text))
