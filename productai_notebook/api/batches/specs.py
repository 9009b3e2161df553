"""What a batch asks for: its inputs, and one `JobSpec` per job, checked before anything is sent.

An input string is an image URL when it starts with http:// or https://, an asset id when it
starts with `asset_`, else a path to a local file; bytes, binary files and PIL images are images
too. Whatever is not a URL or an asset id is uploaded once per batch, not once per job.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from ...contract import DEFAULT_ASPECT_RATIO, DEFAULT_NUM_IMAGES
from .._inputs import check_sendable, generate_body
from ..errors import InvalidArgumentError

URL_PREFIXES = ("http://", "https://")
ASSET_PREFIX = "asset_"


@dataclass(frozen=True)
class JobSpec:
    """One job of a batch: its input (by label, as the batch's `axes["input"]` names it) and settings."""

    input_label: str
    prompt: str | None
    model: str
    num_images: int = DEFAULT_NUM_IMAGES
    aspect_ratio: str = DEFAULT_ASPECT_RATIO
    preset_id: str | None = None
    webhook_url: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input_label,
            "prompt": self.prompt,
            "model": self.model,
            "num_images": self.num_images,
            "aspect_ratio": self.aspect_ratio,
            "preset_id": self.preset_id,
            "webhook_url": self.webhook_url,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> JobSpec:
        return cls(
            input_label=str(data["input"]),
            prompt=data.get("prompt"),
            model=data["model"],
            num_images=data.get("num_images", DEFAULT_NUM_IMAGES),
            aspect_ratio=data.get("aspect_ratio", DEFAULT_ASPECT_RATIO),
            preset_id=data.get("preset_id"),
            webhook_url=data.get("webhook_url"),
        )


@dataclass
class BatchInput:
    """One input image: a URL or asset id the API takes as it is, or a `source` to upload first."""

    label: str
    image_url: str | None = None
    asset_id: str | None = None
    source: Any = None  # a path, bytes, a binary file or a PIL image, until it is uploaded

    @property
    def needs_upload(self) -> bool:
        return self.image_url is None and self.asset_id is None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "image_url": self.image_url, "asset_id": self.asset_id}


def batch_input(value: Any, position: int) -> BatchInput:
    """The input `value` (the `position`-th, from 0) with a short label of its own."""
    if isinstance(value, BatchInput):
        return value
    if isinstance(value, str):
        check_sendable("inputs", value)
        if value.startswith(URL_PREFIXES):
            name = unquote(PurePosixPath(urlsplit(value).path).name)
            return BatchInput(name or urlsplit(value).netloc or value, image_url=value)
        if value.startswith(ASSET_PREFIX):
            return BatchInput(value, asset_id=value)
        if not value:
            raise InvalidArgumentError("inputs", "an empty string is neither a URL, an asset id nor a path")
        return BatchInput(Path(value).name or value, source=value)
    if isinstance(value, Path):
        return BatchInput(value.name or str(value), source=value)
    if isinstance(value, (bytes, bytearray, memoryview)) or hasattr(value, "read") or hasattr(value, "save"):
        name = Path(str(getattr(value, "name", ""))).name if hasattr(value, "read") else ""
        return BatchInput(name or f"image {position + 1}", source=value)
    raise InvalidArgumentError(
        "inputs",
        f"expected an image URL, an asset id, a path, bytes, a binary file or a PIL image, "
        f"got {type(value).__name__}",
    )


def unique_labels(inputs: list[BatchInput]) -> list[BatchInput]:
    """The inputs with labels made unique ("photo.jpg", "photo.jpg (2)"): a label names one input."""
    seen: dict[str, int] = {}
    for item in inputs:
        count = seen.get(item.label, 0) + 1
        seen[item.label] = count
        if count > 1:
            item.label = f"{item.label} ({count})"
    return inputs


def check_spec(spec: JobSpec, image: BatchInput) -> None:
    """InvalidArgumentError naming the field when `spec` breaks what `generate` accepts."""
    generate_body(
        model=spec.model,
        image_url=image.image_url,
        # an image still to upload becomes an asset: check the rest as if it were one
        asset_id=image.asset_id or ("asset_to_upload" if image.needs_upload else None),
        prompt=spec.prompt,
        preset_id=spec.preset_id,
        num_images=spec.num_images,
        aspect_ratio=spec.aspect_ratio,
        webhook_url=spec.webhook_url,
    )
    check_sendable("prompt", spec.prompt)


def _listed(name: str, values: Any) -> list[Any]:
    if values is None:
        return []
    one = isinstance(values, (str, bytes, bytearray, Path)) or hasattr(values, "read")
    if one or not isinstance(values, Iterable):
        return [values]  # one prompt, one model or one input: a list of one
    listed: list[Any] = list(values)
    if name != "inputs":
        for value in listed:
            if value is not None and not isinstance(value, str):
                raise InvalidArgumentError(name, f"expected text, got {type(value).__name__}")
    return listed


@dataclass(frozen=True)
class BatchAxes:
    """What a batch is made of, as `client.batch(...)` (both clients) and `plan_batch(...)` take it:
    an explicit list of `specs`, or every input x prompt x model with the settings all jobs share.

    Those calls list these arguments one by one (help and tab completion show them) and hand them
    on by name, `BatchAxes.of(locals())`; a test holds their signatures to these fields. A new
    argument is a field here, then a parameter of each call.
    """

    specs: Sequence[Any] | None = None
    prompts: Any = None
    models: Any = None
    inputs: Any = None
    num_images: int = DEFAULT_NUM_IMAGES
    aspect_ratio: str = DEFAULT_ASPECT_RATIO
    preset_id: str | None = None
    webhook_url: str | None = None

    @classmethod
    def of(cls, arguments: Mapping[str, Any]) -> BatchAxes:
        """The axes among a call's arguments (a mapping of every field's name, such as `locals()`)."""
        return cls(**{field.name: arguments[field.name] for field in fields(cls)})

    def jobs(self) -> tuple[list[BatchInput], list[JobSpec]]:
        """The inputs and job specs: the explicit list `specs`, or the cross product of the axes, checked."""
        if self.specs is None:
            return cross_product(self)
        if any(axis is not None for axis in (self.prompts, self.models, self.inputs)):
            raise InvalidArgumentError("specs", "give either specs= or inputs=/prompts=/models=, not both")
        return listed_specs(self.specs)


def cross_product(axes: BatchAxes) -> tuple[list[BatchInput], list[JobSpec]]:
    """The inputs and every (input, prompt, model) job, in that axis order, checked."""
    images = unique_labels([batch_input(value, n) for n, value in enumerate(_listed("inputs", axes.inputs))])
    prompt_list = list(dict.fromkeys(_listed("prompts", axes.prompts))) or ([None] if axes.preset_id else [])
    model_list = list(dict.fromkeys(_listed("models", axes.models)))
    for name, axis in (("inputs", images), ("prompts", prompt_list), ("models", model_list)):
        if not axis:
            raise InvalidArgumentError(name, "give at least one")
    specs = []
    for image in images:
        for prompt in prompt_list:
            for model in model_list:
                spec = JobSpec(
                    image.label, prompt, model,
                    axes.num_images, axes.aspect_ratio, axes.preset_id, axes.webhook_url,
                )
                check_spec(spec, image)
                specs.append(spec)
    return images, specs


def listed_specs(specs: Sequence[Any]) -> tuple[list[BatchInput], list[JobSpec]]:
    """An explicit list of jobs: each a `JobSpec` (its `input_label` read as an input) or a mapping
    with `input`, `model` and, as `generate` has them, `prompt`, `num_images`, `aspect_ratio`,
    `preset_id`, `webhook_url`."""
    if not specs:
        raise InvalidArgumentError("specs", "give at least one job")
    images: list[BatchInput] = []
    known: dict[Any, BatchInput] = {}
    rows: list[tuple[Mapping[str, Any], BatchInput]] = []
    for n, item in enumerate(specs):
        data = item.to_dict() if isinstance(item, JobSpec) else item
        if not isinstance(data, Mapping) or "input" not in data or "model" not in data:
            raise InvalidArgumentError(f"specs[{n}]", "give a JobSpec, or a dict of input=, model=, prompt=")
        value = data["input"]
        # the same input given twice is one input (uploaded once); bytes and images by identity
        key = value if isinstance(value, (str, Path)) else id(value)
        if key not in known:
            known[key] = batch_input(value, len(images))
            images.append(known[key])
        rows.append((data, known[key]))
    unique_labels(images)
    made = []
    for data, image in rows:
        spec = JobSpec.from_dict({**data, "input": image.label})
        check_spec(spec, image)
        made.append(spec)
    return images, made
