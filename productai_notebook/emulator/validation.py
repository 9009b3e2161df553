"""Checks of what a client sends: each documented constraint becomes a 400 naming the field."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

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
    try:
        # NaN and Infinity are Python's extensions, not JSON.
        data = json.loads(body, parse_constant=_not_json)
    except (ValueError, UnicodeDecodeError):
        raise invalid("body", "must be a JSON object") from None
    if not isinstance(data, dict):
        raise invalid("body", "must be a JSON object")
    return data


def _optional_text(data: dict[str, Any], field: str) -> str | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "must be a non-empty string")
    return value


def http_url(data: dict[str, Any], field: str, allow_data: bool = False) -> str | None:
    url = _optional_text(data, field)
    if url is None:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        raise invalid(field, "is not a valid URL") from None
    if allow_data and parts.scheme == "data":
        if not url.startswith("data:image/"):
            raise invalid(field, "a data URL must hold an image (data:image/...)")
        return url
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise invalid(field, "must be an http(s) URL")
    return url


def generate_request(data: dict[str, Any]) -> GenerateRequest:
    """`POST /v1/generate`: unknown fields are ignored, as a forward-compatible API does."""
    model = data.get("model")
    if model is None:
        raise invalid("model", f"is required; one of {', '.join(MODELS)}")
    if model not in MODELS:
        raise invalid("model", f"must be one of {', '.join(MODELS)}")
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
    aspect_ratio = data.get("aspect_ratio", DEFAULT_ASPECT_RATIO)
    if aspect_ratio not in ASPECT_RATIOS:
        raise invalid("aspect_ratio", f"must be one of {', '.join(ASPECT_RATIOS)}")
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


def _integer(query: QueryParams, field: str, default: int) -> int:
    raw = query.get(field)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise invalid(field, "must be an integer") from None


def page(query: QueryParams, with_status: bool = True) -> Page:
    limit = _integer(query, "limit", DEFAULT_LIST_LIMIT)
    if not 1 <= limit <= MAX_LIST_LIMIT:
        raise invalid("limit", f"must be between 1 and {MAX_LIST_LIMIT}")
    offset = _integer(query, "offset", 0)
    if not 0 <= offset <= MAX_OFFSET:
        raise invalid("offset", f"must be between 0 and {MAX_OFFSET}")
    status = query.get("status", "all") if with_status else "all"
    if status not in STATUS_FILTERS:
        raise invalid("status", f"must be one of {', '.join(STATUS_FILTERS)}")
    return Page(limit, offset, status)
