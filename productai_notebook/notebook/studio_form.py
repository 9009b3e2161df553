"""The studio's form: its rules, handed to the browser whole, and its values, read and filled from Python.

The rules are the client's: models and their credits, 1-4 images, aspect ratios and rate limits
from `contract.py`, formats and the size limit from `api.input_rules()`. The browser gets them as
the `rules` trait and keeps no copy of its own, so the form can never offer what the client refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..api import InvalidArgumentError, input_rules
from ..contract import (
    ASPECT_RATIOS,
    CREDITS_PER_IMAGE,
    DEFAULT_ASPECT_RATIO,
    DEFAULT_MODEL,
    DEFAULT_NUM_IMAGES,
    MAX_NUM_IMAGES,
    MIN_NUM_IMAGES,
    MODELS,
    RATE_LIMITS_PER_MINUTE,
)

WINDOW_SECONDS = 60  # the limits are per minute
#: the plan a preview reckons with when the account's is unknown: the slowest, so it never promises too much
SLOWEST_PLAN = min(RATE_LIMITS_PER_MINUTE, key=RATE_LIMITS_PER_MINUTE.__getitem__)
FIELDS = ("prompts", "preset_id", "models", "num_images", "aspect_ratio")


def form_rules() -> dict[str, Any]:
    """Everything the form checks and computes with, as JSON."""
    return {
        "models": [{"name": model, "credits_per_image": each} for model, each in CREDITS_PER_IMAGE.items()],
        "default_model": DEFAULT_MODEL,
        "num_images": {"min": MIN_NUM_IMAGES, "max": MAX_NUM_IMAGES, "default": DEFAULT_NUM_IMAGES},
        "aspect_ratios": list(ASPECT_RATIOS),
        "default_aspect_ratio": DEFAULT_ASPECT_RATIO,
        "rate_limits_per_minute": dict(RATE_LIMITS_PER_MINUTE),
        "window_seconds": WINDOW_SECONDS,
        "slowest_plan": SLOWEST_PLAN,
        **input_rules(),
    }


def default_form() -> dict[str, Any]:
    return {"prompts": "", "preset_id": "", "models": [DEFAULT_MODEL], "num_images": DEFAULT_NUM_IMAGES,
            "aspect_ratio": DEFAULT_ASPECT_RATIO}


def prompt_lines(text: str) -> list[str]:
    """One prompt per line, trimmed, blank lines and repeats dropped (as the batch's axis keeps them)."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def preview_plan(plan: str | None) -> str:
    """The plan whose rate limit the preview reckons with: the account's, else the slowest."""
    return plan if plan in RATE_LIMITS_PER_MINUTE else SLOWEST_PLAN


def filled(form: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """`form` with `values` (as `studio.values` gives them) filled in, or an InvalidArgumentError
    naming the field: what the form could not show is refused here, not left for Generate."""
    unknown = set(values) - {*FIELDS, "inputs"}
    if unknown:
        raise InvalidArgumentError("values", f"unknown field(s) {', '.join(sorted(unknown))}; the form has "
                                   f"{', '.join(FIELDS)} (inputs: add_input)")
    new = dict(form)
    if "prompts" in values:
        prompts = values["prompts"]
        new["prompts"] = prompts if isinstance(prompts, str) else "\n".join(_texts("prompts", prompts))
    if "preset_id" in values:
        new["preset_id"] = values["preset_id"] or ""
    if "models" in values:
        given = values["models"]
        models = [given] if isinstance(given, str) else _texts("models", given)
        for model in models:
            if model not in MODELS:
                raise InvalidArgumentError("models", f"{model!r} is not one of {', '.join(MODELS)}")
        new["models"] = list(dict.fromkeys(models))
    if "num_images" in values:
        count = values["num_images"]
        whole = isinstance(count, int) and not isinstance(count, bool)
        if not whole or not MIN_NUM_IMAGES <= count <= MAX_NUM_IMAGES:
            raise InvalidArgumentError(
                "num_images", f"must be {MIN_NUM_IMAGES} to {MAX_NUM_IMAGES}, got {count!r}"
            )
        new["num_images"] = count
    if "aspect_ratio" in values:
        if values["aspect_ratio"] not in ASPECT_RATIOS:
            raise InvalidArgumentError(
                "aspect_ratio", f"{values['aspect_ratio']!r} is not one of {', '.join(ASPECT_RATIOS)}"
            )
        new["aspect_ratio"] = values["aspect_ratio"]
    return new


def _texts(field: str, values: Any) -> list[str]:
    texts = list(values) if isinstance(values, Iterable) else None
    if texts is None or not all(isinstance(text, str) for text in texts):
        raise InvalidArgumentError(field, "expected text or a list of texts")
    return texts
