"""Checks of what a client sends: each documented constraint becomes a 400 naming the field.

Every route reads its input through here (a JSON body, a query string, a form field), so hostile
input of any shape is a 400 before it reaches SQLite or Pillow, never a 500.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from starlette.datastructures import QueryParams

from ..contract import (
    ASPECT_RATIOS,
    DEFAULT_ASPECT_RATIO,
    DEFAULT_LIST_LIMIT,
    DEFAULT_NUM_IMAGES,
    MAX_LIST_LIMIT,
    MAX_NUM_IMAGES,
    MIN_NUM_IMAGES,
    MODELS,
    STATUS_FILTERS,
)
from .errors import invalid

# SQLite integers are 64-bit; a larger offset must be a 400, not an overflow.
MAX_OFFSET = 2**31
# No request of the API nests deeper than a list of tags in an object; this leaves room to grow.
MAX_JSON_DEPTH = 32
# An unknown field's name in an error message is cut to this many characters.
MAX_FIELD_NAME = 64
# ASCII digits only: Python's int() also takes "1_000", " 7" and non-Latin digits.
INTEGER = re.compile(r"-?[0-9]{1,18}")


@dataclass(frozen=True)
class GenerateRequest:
    model: str
    prompt: str | None
    preset_id: str | None
    image_url: str | None
    asset_id: str | None
    num_images: int
    aspect_ratio: str
    webhook_url: str | None


@dataclass(frozen=True)
class Page:
    limit: int
    offset: int
    status: str


def _not_json(constant: str) -> None:
    raise ValueError(f"{constant} is not JSON")


def json_object(body: bytes) -> dict[str, Any]:
    """The body as a JSON object whose every string (keys included) is storable text."""
    try:
        # NaN and Infinity are Python's extensions, not JSON.
        data = json.loads(body, parse_constant=_not_json)
    except RecursionError:
        raise invalid("body", f"is nested deeper than {MAX_JSON_DEPTH} levels") from None
    except (ValueError, UnicodeDecodeError):
        raise invalid("body", "must be a JSON object") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    for key, value in data.items():
        # a key that is not text cannot name the field; a long one is cut, not echoed whole
        _check_tree(text("body", key)[:MAX_FIELD_NAME], value)
    return data


def _check_tree(field: str, value: Any) -> None:
    """Depth and text of one top-level field's value, walked without recursion (it may be deep)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if depth > MAX_JSON_DEPTH:
            raise invalid("body", f"is nested deeper than {MAX_JSON_DEPTH} levels")
        if isinstance(item, str):
            text(field, item)
        elif isinstance(item, dict):
            pending.extend((k, depth + 1) for k in item)  # keys are text like any other
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            pending.extend((v, depth + 1) for v in item)


def text(field: str, value: str) -> str:
    """`value` unless it holds what no API text holds: NUL, or a lone surrogate (not UTF-8 at all)."""
    if "\x00" in value:
        raise invalid(field, "must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise invalid(field, "must be valid Unicode text (it holds a lone surrogate)") from None
    return value


def _optional_text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "must be a non-empty string")
    return text(field, value)


def _choice(data: dict[str, Any], field: str, choices: Any, default: str | None = None) -> str:
    """One of `choices`; a list or an object there is a 400 like any other wrong value."""
    value = data.get(field, default)
    if value is None:
        raise invalid(field, f"is required; one of {', '.join(choices)}")
    if not isinstance(value, str) or value not in choices:
        raise invalid(field, f"must be one of {', '.join(choices)}")
    return value


def http_url(data: dict[str, Any], field: str, allow_data: bool = False) -> str | None:
    url = _optional_text(data, field)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
        scheme, host, _ = parts.scheme, parts.hostname, parts.port  # .port checks the range
        if scheme in ("http", "https"):
            # What httpx would refuse only when the URL is fetched or a webhook sent, and a name
            # no resolver takes (an empty or a 64-character label): refused now, naming the field.
            httpx.URL(url).host.encode("idna")
    except (ValueError, httpx.InvalidURL):  # UnicodeError (bad IDNA) is a ValueError
        raise invalid(field, "is not a valid URL") from None
    if allow_data and scheme == "data":
        if not url.startswith("data:image/"):
            raise invalid(field, "a data URL must hold an image (data:image/...)")
        return url
    if scheme not in ("http", "https") or not host:
        raise invalid(field, "must be an http(s) URL")
    return url


def generate_request(data: dict[str, Any]) -> GenerateRequest:
    """`POST /v1/generate`: unknown fields are ignored, as a forward-compatible API does."""
    model = _choice(data, "model", MODELS)
    # Data URLs are an emulator extension: a local notebook can pass its product without a server.
    image_url = http_url(data, "image_url", allow_data=True)
    asset_id = _optional_text(data, "asset_id")
    if (image_url is None) == (asset_id is None):
        raise invalid("image_url", "exactly one of image_url or asset_id is required")
    prompt = _optional_text(data, "prompt")
    preset_id = _optional_text(data, "preset_id")
    if prompt is None and preset_id is None:
        raise invalid("prompt", "is required unless preset_id is given")
    num_images = data.get("num_images", DEFAULT_NUM_IMAGES)
    # bool is an int in Python, but `true` is not a number of images.
    if not isinstance(num_images, int) or isinstance(num_images, bool):
        raise invalid("num_images", "must be an integer")
    if not MIN_NUM_IMAGES <= num_images <= MAX_NUM_IMAGES:
        raise invalid("num_images", f"must be between {MIN_NUM_IMAGES} and {MAX_NUM_IMAGES}")
    aspect_ratio = _choice(data, "aspect_ratio", ASPECT_RATIOS, DEFAULT_ASPECT_RATIO)
    return GenerateRequest(
        model=model,
        prompt=prompt,
        preset_id=preset_id,
        image_url=image_url,
        asset_id=asset_id,
        num_images=num_images,
        aspect_ratio=aspect_ratio,
        webhook_url=http_url(data, "webhook_url"),
    )


def _integer(query: QueryParams, field: str, default: int, low: int, high: int) -> int:
    raw = query.get(field)
    if raw is None:
        return default
    if not INTEGER.fullmatch(raw) or not low <= int(raw) <= high:
        raise invalid(field, f"must be an integer between {low} and {high}")
    return int(raw)


def page(query: QueryParams, with_status: bool = True) -> Page:
    limit = _integer(query, "limit", DEFAULT_LIST_LIMIT, 1, MAX_LIST_LIMIT)
    offset = _integer(query, "offset", 0, 0, MAX_OFFSET)
    status = _choice(dict(query), "status", STATUS_FILTERS, "all") if with_status else "all"
    return Page(limit, offset, status)
