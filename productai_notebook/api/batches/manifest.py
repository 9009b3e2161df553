"""A batch's manifest: a small JSON file (specs, job ids, stages, picks) that outlives the kernel.

It is written whole and atomically (a temporary file renamed over it) each time a create is sent
and each time one returns, so a process killed at any moment leaves the last complete version.
A file that is not a batch manifest is never overwritten: it is a clear error naming the file.
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

FORMAT = "productai-batch"
VERSION = 1
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


def read_manifest(path: Path) -> dict[str, Any]:
    """The manifest at `path`; ManifestError naming the file when it is not one this package wrote."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ManifestError(
            f"{path} is not a readable batch manifest ({error}); it was left as it is: "
            "move it away, or open the batch under another name"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(
            f"{path} is not a batch manifest of this package (no \"format\": \"{FORMAT}\"); "
            "it was left as it is: give the batch another name, or another batch_dir="
        )
    if data.get("version") != VERSION or not isinstance(data.get("entries"), list):
        raise ManifestError(
            f"{path} is a batch manifest of version {data.get('version')!r}, which this version "
            f"({VERSION}) cannot read; it was left as it is"
        )
    return data


class RawList(list[str]):
    """A list of items already encoded as JSON: written as they are, not encoded again."""


def _encoded(data: dict[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if isinstance(value, RawList):
            encoded = "[" + ",".join(value) + "]"
        else:
            encoded = json.dumps(value, separators=(",", ":"))
        parts.append(f"{json.dumps(key)}:{encoded}")
    return "{" + ",".join(parts) + "}"


class SenderLock:
    """Who may send a batch's creates: one worker at a time, in any process (an advisory lock on
    `<name>.json.lock`; the system frees it when its process dies, even by SIGKILL)."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_name(path.name + ".lock")
        self._file: Any = None

    def acquire(self) -> bool:
        """Take it if free (never waits); True when this worker holds it."""
        if self._file is not None:
            return True
        try:
            import fcntl
        except ImportError:  # (Windows: no advisory locks here; one kernel per batch, as before)
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a")
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            self._file.close()  # (closing frees the lock)
            self._file = None


class ManifestFile:
    """Writes one batch's manifest, whole, each time `save(data)` is called (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self.sender = SenderLock(path)

    def create(self, data: dict[str, Any]) -> None:
        """Write the first version; FileExistsError when another process made this batch meanwhile."""
        self._write(data, first=True)

    def save(self, data: dict[str, Any]) -> None:
        self._write(data, first=False)

    def _write(self, data: dict[str, Any], *, first: bool) -> None:
        text = _encoded({"format": FORMAT, "version": VERSION, **data})
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(text)
                if first:
                    os.link(temporary, self.path)  # atomic, and never over a file already there
                else:
                    os.replace(temporary, self.path)  # atomic: a reader sees the old file or the new one
            finally:
                Path(temporary).unlink(missing_ok=True)
