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


class ManifestFile:
    """Writes one batch's manifest, whole, each time `save(data)` is called (thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def save(self, data: dict[str, Any]) -> None:
        text = json.dumps({"format": FORMAT, "version": VERSION, **data}, separators=(",", ":"))
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as file:
                    file.write(text)
                os.replace(temporary, self.path)  # atomic: a reader sees the old file or the new one
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
