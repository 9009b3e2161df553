"""A batch's images on disk, named from their prompt, model and input, with a manifest beside
them (CSV and JSON); and a batch as a pandas DataFrame."""

from __future__ import annotations

import csv
import json
import re
import string
import unicodedata
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..errors import InvalidArgumentError

if TYPE_CHECKING:
    from .core import BatchCore

FIELDS = ("input", "prompt", "model", "job_id", "n")
COLUMNS = ("file", "input", "prompt", "model", "job_id", "image", "width", "height", "credits")
#: the longest a name part may be (file systems allow 255 bytes for a whole name)
MAX_PART = 60
_UNSAFE = re.compile(r"[^\w.-]+", re.ASCII)
#: a part that needs no change: no hidden file (a leading dot), no name ending in a dot (Windows)
_SAFE = re.compile(r"\w(?:[\w.-]*[\w-])?", re.ASCII)
#: punctuation at either end is dropped, not replaced ("off?" -> "off"); an id's own "_" stays
_EDGES = re.compile(r"^[^\w]+|[^\w]+$", re.ASCII)
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"{port}{i}" for port in ("COM", "LPT") for i in range(1, 10))}


def safe_part(value: object) -> str:
    """`value` as a piece of a file name on any file system: ASCII letters, digits, _ . -

    A value that is one already (a job id, a model) is kept as it is, its edges too: the file of
    job `job_x1-` is `job_x1-_0.jpg`, so a name leads back to its job.
    """
    text = unicodedata.normalize("NFKD", "" if value is None else str(value))
    if _SAFE.fullmatch(text) and len(text) <= MAX_PART:
        return text
    text = _UNSAFE.sub("_", _EDGES.sub("", text.encode("ascii", "ignore").decode()))
    return text[:MAX_PART].rstrip(".-") or "_"


def check_pattern(pattern: str) -> None:
    try:
        names = {field for _, field, _, _ in string.Formatter().parse(pattern) if field is not None}
    except ValueError as error:
        raise InvalidArgumentError("name", f"{pattern!r} is not a name pattern: {error}") from None
    unknown = names - set(FIELDS)
    if unknown or not names:
        raise InvalidArgumentError(
            "name", f"use {', '.join('{' + f + '}' for f in FIELDS)} in the name pattern, got {pattern!r}"
        )


def file_name(pattern: str, values: dict[str, object], suffix: str, taken: set[str]) -> str:
    """The pattern filled with safe values, made unique among `taken` (compared ignoring case)."""
    stem = pattern.format(**{key: safe_part(value) for key, value in values.items()})
    stem = stem.replace("/", "_").replace("\\", "_").strip(" .") or "image"
    if stem.upper() in _RESERVED:
        stem = f"_{stem}"
    name, count = stem + suffix, 1
    while name.lower() in taken:
        count += 1
        name = f"{stem}_{count}{suffix}"
    taken.add(name.lower())
    return name


def _suffix(url: str, content_type: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix in (".jpg", ".jpeg", ".png", ".webp"):
        return suffix
    return {"image/png": ".png", "image/webp": ".webp"}.get(content_type.split(";")[0].strip(), ".jpg")


def export(batch: BatchCore, folder: Path, *, winners_only: bool, pattern: str) -> list[Path]:
    """See `Batch.export`."""
    from ..client import blocking_client
    from ..resources import fetch_image

    check_pattern(pattern)
    client = batch.client
    # an asyncio client's pool belongs to its loop: its blocking twin fetches here
    fetcher = blocking_client(client)
    folder.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    rows: list[dict[str, Any]] = []
    written: list[Path] = []
    for entry in batch.entries:
        job = entry.job
        if job is None or not job.images:
            continue
        indices = list(job.picks) if winners_only else list(range(len(job.images)))
        per_image = (job.tokens_used or 0) // max(1, len(job.images))
        for index in indices:
            if index >= len(job.images):
                continue
            image = job.images[index]
            fetched = fetch_image(fetcher, image.url)
            spec = entry.spec
            values = {
                "input": spec.input_label, "prompt": spec.prompt or spec.preset_id, "model": spec.model,
                "job_id": job.id, "n": index,
            }
            name = file_name(pattern, values, _suffix(image.url, fetched.content_type), taken)
            path = folder / name
            path.write_bytes(fetched.content)
            written.append(path)
            rows.append({
                "file": name, "input": spec.input_label, "prompt": spec.prompt, "model": spec.model,
                "job_id": job.id, "image": index, "width": image.width, "height": image.height,
                "credits": per_image,
            })
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    (folder / "manifest.json").write_text(
        json.dumps({"batch": batch.name, "images": rows}, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    return written


def dataframe(batch: BatchCore) -> Any:
    """See `Batch.to_dataframe`."""
    try:
        import pandas as pd  # type: ignore[import-untyped]
    except ImportError:
        raise ImportError("batch.to_dataframe() needs pandas: pip install pandas") from None
    rows = []
    for entry in batch.entries:
        spec, job = entry.spec, entry.job
        failure = job.error if job is not None else None
        error = str(entry.error) if entry.error else f"{failure.code}: {failure.message}" if failure else None
        rows.append({
            "input": spec.input_label,
            "prompt": spec.prompt,
            "model": spec.model,
            "num_images": spec.num_images,
            "aspect_ratio": spec.aspect_ratio,
            "stage": entry.stage,
            "job_id": job.id if job is not None else entry.job_id,
            "status": job.status if job is not None else None,
            "credits": job.tokens_used if job is not None else None,
            "picks": list(job.picks) if job is not None else [],
            "error": error,
        })
    return pd.DataFrame(rows)
