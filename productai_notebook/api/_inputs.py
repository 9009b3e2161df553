"""What a call sends, checked before any request: generate's body, upload sources, download names."""

from __future__ import annotations

import difflib
import io
import math
import mimetypes
import re
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ..contract import (
    ASPECT_RATIOS,
    MAX_LIST_LIMIT,
    MAX_NUM_IMAGES,
    MAX_UPLOAD_BYTES,
    MIN_NUM_IMAGES,
    MODELS,
    STATUS_FILTERS,
)
from .errors import InvalidArgumentError


class checked_in_the_call:  # noqa: N801  (used as `with checked_in_the_call():`, like a function)
    """Around a public method's argument checks. An InvalidArgumentError is raised again from here,
    its frames below dropped; the public method sets `__tracebackhide__`, so a notebook (IPython
    hides such frames) shows the user's call, this two-line frame and the message: a dozen lines
    (hence the `if` on one line: a line more would show)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, traceback: TracebackType | None) -> None:
        if isinstance(error, InvalidArgumentError): raise error.with_traceback(None)


def _not_one_of(field: str, value: object, allowed: Iterable[str]) -> InvalidArgumentError:
    """The error for a value outside `allowed`, suggesting the closest allowed one."""
    allowed = list(allowed)
    closest = difflib.get_close_matches(str(value), allowed, n=1, cutoff=0.5)
    guess = f"; did you mean {closest[0]!r}?" if closest else ""
    return InvalidArgumentError(field, f"{value!r} is not one of {', '.join(allowed)}{guess}")


def _out_of_range(field: str, value: object, low: int, high: int, bounds: str = "") -> InvalidArgumentError:
    """The error for a number outside low..high, suggesting the nearest one inside."""
    guess = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        guess = f"; did you mean {max(low, min(high, round(value)))}?"
    return InvalidArgumentError(field, f"must be {low} to {high}{bounds}, got {value!r}{guess}")


_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}


def check_sendable(field: str, value: Any) -> None:
    """InvalidArgumentError naming `field` when `value` holds text no request can carry.

    UTF-8 cannot encode half of a surrogate pair ("\\ud800"): it comes from a broken paste, a
    mis-decoded file name or a JSON string cut in two, and httpx would fail with a bare
    UnicodeEncodeError mid-request. Strings inside lists and mappings (keys too) are checked.
    """
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidArgumentError(
                field,
                f"holds a character that cannot be sent (U+{ord(value[error.start]):04X} at position "
                f"{error.start}, half of a surrogate pair): remove it or fix the text's encoding",
            ) from None
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_sendable(field, key)
            check_sendable(field, item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            check_sendable(field, item)


def check_api_key(key: str) -> None:
    """The key goes in a header: printable ASCII, as the API issues keys (never echoed: it is a secret)."""
    if not key.isascii() or not key.isprintable() or any(ch.isspace() for ch in key):
        raise InvalidArgumentError(
            "api_key", "holds a space or a character that is not printable ASCII: check it was copied whole"
        )


def generate_body(
    *,
    model: str,
    image_url: str | None,
    asset_id: str | None,
    prompt: str | None,
    preset_id: str | None,
    num_images: int,
    aspect_ratio: str,
    webhook_url: str | None,
) -> dict[str, Any]:
    """The JSON of `POST /generate`, or an InvalidArgumentError naming the field that breaks the docs."""
    if model not in MODELS:
        raise _not_one_of("model", model, MODELS)
    if (image_url is None) == (asset_id is None):
        raise InvalidArgumentError("image_url", "give exactly one of image_url= or asset_id=")
    if image_url is not None and urlsplit(image_url).scheme not in ("http", "https"):
        raise InvalidArgumentError("image_url", "must be a public http(s) URL")
    if not prompt and not preset_id:
        raise InvalidArgumentError("prompt", "give a prompt= or a preset_id=")
    if (
        isinstance(num_images, bool)
        or not isinstance(num_images, int)
        or not (MIN_NUM_IMAGES <= num_images <= MAX_NUM_IMAGES)
    ):
        raise _out_of_range("num_images", num_images, MIN_NUM_IMAGES, MAX_NUM_IMAGES)
    if aspect_ratio not in ASPECT_RATIOS:
        raise _not_one_of("aspect_ratio", aspect_ratio, ASPECT_RATIOS)
    if webhook_url is not None and urlsplit(webhook_url).scheme not in ("http", "https"):
        raise InvalidArgumentError("webhook_url", "must be an http(s) URL")
    body: dict[str, Any] = {"model": model, "num_images": num_images, "aspect_ratio": aspect_ratio}
    optional = {
        "image_url": image_url,
        "asset_id": asset_id,
        "prompt": prompt,
        "preset_id": preset_id,
        "webhook_url": webhook_url,
    }
    body.update({key: value for key, value in optional.items() if value is not None})
    return body


def list_params(limit: int, offset: int, status: str | None) -> dict[str, Any]:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIST_LIMIT:
        raise _out_of_range("limit", limit, 1, MAX_LIST_LIMIT, " (the API's maximum)")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise InvalidArgumentError("offset", f"must be 0 or more, got {offset!r}")
    if status is not None and status not in STATUS_FILTERS:
        raise _not_one_of("status", status, STATUS_FILTERS)
    params: dict[str, Any] = {"limit": limit, "offset": offset}
    if status is not None:
        params["status"] = status
    return params


def check_job_id(job_id: str) -> str:
    if not isinstance(job_id, str) or not job_id:
        raise InvalidArgumentError("job_id", "must be a non-empty job id like job_abc123")
    check_sendable("job_id", job_id)
    return job_id


def _sniff(content: bytes) -> str | None:
    for signature, mime in _SIGNATURES.items():
        if content.startswith(signature):
            return mime
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


def read_image_source(source: Any) -> tuple[str, bytes]:
    """(file name, bytes) of an image given as a path, bytes, a binary file or a PIL image: unchecked."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            content = path.read_bytes()
        except OSError as error:
            # the resolved path shows where a relative one was looked for (the kernel's working folder)
            raise InvalidArgumentError(
                "file", f"cannot read {path.name!r} (looked for {path.resolve()}): {error.strerror}"
            ) from None
        return path.name, content
    if isinstance(source, (bytes, bytearray, memoryview)):
        return "image", bytes(source)
    if hasattr(source, "save") and hasattr(source, "mode"):
        # a PIL image, duck-typed so the client does not import Pillow: PNG keeps it lossless
        buffer = io.BytesIO()
        source.save(buffer, format="PNG")
        return "image.png", buffer.getvalue()
    if hasattr(source, "read"):
        content = source.read()
        if not isinstance(content, bytes):
            raise InvalidArgumentError("file", "open the file in binary mode ('rb')")
        return Path(str(getattr(source, "name", "image"))).name, content
    raise InvalidArgumentError(
        "file", f"expected a path, bytes, a binary file or a PIL image, got {type(source).__name__}"
    )


def upload_file(source: Any) -> tuple[str, bytes, str]:
    """(file name, bytes, mime type) of an image given as a path, bytes, a binary file or a PIL image."""
    filename, content = read_image_source(source)
    if len(content) > MAX_UPLOAD_BYTES:
        raise InvalidArgumentError("file", f"{len(content)} bytes is over the 10 MB limit")
    mime = _sniff(content)
    if mime is None:
        raise InvalidArgumentError("file", "not a JPEG, PNG or WebP image")
    if "." not in filename:
        filename += mimetypes.guess_extension(mime) or ""
    return filename, content, mime


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")


def image_filename(job_id: str, index: int, url: str, content_type: str | None) -> str:
    """A stable, safe file name for image `index` of a job: `<job_id>_<index>.<ext>`."""
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    if suffix not in (".jpg", ".jpeg", ".png", ".webp"):
        mime = (content_type or "").split(";")[0].strip()
        suffix = mimetypes.guess_extension(mime) or ".jpg"
    stem = _UNSAFE.sub("_", job_id).lstrip(".") or "job"
    return f"{stem}_{index}{suffix}"
