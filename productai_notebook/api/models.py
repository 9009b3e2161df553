"""The API's answers as frozen models, parsed and checked once at the edge.

Each `parse` takes decoded JSON and raises `InvalidResponseError` naming the bad field.
Fields the contract does not know are kept in `extra`, so a newer service loses nothing;
`to_dict()` gives the wire shape back (JSON-ready, ISO times).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

from ..contract import COMPLETED, FAILED, TERMINAL_STATUSES
from .errors import InvalidResponseError

JSON = dict[str, Any]


def _bad(where: str, problem: str) -> InvalidResponseError:
    return InvalidResponseError(f"The API answered with an invalid {where}: {problem}.")


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise _bad(where, f"expected an object, got {type(value).__name__}")
    return value


def _str(data: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise _bad(f"{where}.{key}", "missing")
        return None
    if not isinstance(value, str) or (required and not value):
        raise _bad(f"{where}.{key}", f"expected a non-empty string, got {type(value).__name__}")
    return value


def _int(data: Mapping[str, Any], key: str, where: str) -> int | None:
    value = data.get(key)
    if value is None:
        return None
    # (values are never echoed: an error text must not carry what the server sent, keys included)
    # whole floats (45.0) are fine; NaN and infinities (which json reads) are no integer
    if not _finite(value) or value != int(value):
        raise _bad(f"{where}.{key}", f"expected an integer, got {_kind(value)}")
    return int(value)


def _number(data: Mapping[str, Any], key: str, where: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if not _finite(value):
        raise _bad(f"{where}.{key}", f"expected a number, got {_kind(value)}")
    return float(value)


def _finite(value: Any) -> bool:
    """A JSON number we can compute with: bool is an int in Python, never in JSON's meaning."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an integer too large for a float
        return False


def _kind(value: Any) -> str:
    """What kind of value came, never the value itself."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and not _finite(value):
        return "NaN, an infinity or a number too large"
    return type(value).__name__


def _time(data: Mapping[str, Any], key: str, where: str) -> datetime | None:
    text = _str(data, key, where)
    if text is None:
        return None
    try:
        # Python 3.10's fromisoformat does not read the "Z" suffix the API uses
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise _bad(f"{where}.{key}", "not an ISO-8601 time") from None
    # a time without a zone is read as UTC, the API's zone, so every time is comparable; kept
    # in UTC, so the wire shape can always be written back (9999-12-31T23:59-05:00 has no UTC twin)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:
        raise _bad(f"{where}.{key}", "outside the years 1 to 9999 in UTC") from None


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    text = moment.astimezone(timezone.utc).isoformat()
    return text[: -len("+00:00")] + "Z" if text.endswith("+00:00") else text


def _extra(data: Mapping[str, Any], known: frozenset[str]) -> JSON:
    return {k: v for k, v in data.items() if k not in known}


@dataclass(frozen=True)
class JobImage:
    """One generated image: its CDN URL and pixel size."""

    url: str
    width: int | None = None
    height: int | None = None
    extra: JSON = field(default_factory=dict, hash=False, repr=False)

    _KNOWN = frozenset({"url", "width", "height"})

    @classmethod
    def parse(cls, value: Any, where: str = "image") -> JobImage:
        data = _object(value, where)
        return cls(
            url=_str(data, "url", where, required=True) or "",
            width=_int(data, "width", where),
            height=_int(data, "height", where),
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> JSON:
        return {**self.extra, "url": self.url, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class JobError:
    """Why a job (or a request) failed: a machine `code` and a human `message`."""

    code: str
    message: str
    extra: JSON = field(default_factory=dict, hash=False, repr=False)

    _KNOWN = frozenset({"code", "message"})

    @classmethod
    def parse(cls, value: Any, where: str = "error") -> JobError:
        data = _object(value, where)
        return cls(
            code=_str(data, "code", where) or "unknown",
            message=_str(data, "message", where) or "",
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> JSON:
        return {**self.extra, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class JobState:
    """What the API last said about one job. Immutable: a fresher answer is a new JobState."""

    job_id: str
    status: str
    progress: int = 0
    model: str | None = None
    num_images: int | None = None
    created_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    failed_at: datetime | None = None
    images: tuple[JobImage, ...] = ()
    tokens_used: int | None = None
    error: JobError | None = None
    estimated_time_seconds: float | None = None
    extra: JSON = field(default_factory=dict, hash=False, repr=False)

    _TIMES = ("created_at", "started_at", "completed_at", "failed_at")
    _KNOWN = frozenset(
        {"job_id", "status", "progress", "model", "num_images", *_TIMES}
        | {"images", "tokens_used", "error", "estimated_time_seconds"}
    )

    @classmethod
    def parse(cls, value: Any) -> JobState:
        """Read one job object of the API (get, list, generate or webhook answer)."""
        data = _object(value, "job")
        status = _str(data, "status", "job", required=True) or ""
        progress = _int(data, "progress", "job")
        if progress is None:
            # the Jobs page leaves progress out of failed jobs and list entries
            progress = 100 if status == COMPLETED else 0
        elif not 0 <= progress <= 100:
            raise _bad("job.progress", f"{progress} is outside 0..100")
        images = data.get("images")
        if images is not None and not isinstance(images, list):
            raise _bad("job.images", f"expected a list, got {type(images).__name__}")
        error = data.get("error")
        return cls(
            job_id=_str(data, "job_id", "job", required=True) or "",
            status=status,
            progress=progress,
            model=_str(data, "model", "job"),
            num_images=_int(data, "num_images", "job"),
            created_at=_time(data, "created_at", "job"),
            started_at=_time(data, "started_at", "job"),
            completed_at=_time(data, "completed_at", "job"),
            failed_at=_time(data, "failed_at", "job"),
            images=tuple(JobImage.parse(item, f"job.images[{i}]") for i, item in enumerate(images or ())),
            tokens_used=_int(data, "tokens_used", "job"),
            error=None if error is None else JobError.parse(error, "job.error"),
            estimated_time_seconds=_number(data, "estimated_time_seconds", "job"),
            extra=_extra(data, cls._KNOWN),
        )

    @property
    def is_terminal(self) -> bool:
        """Completed or failed: this state will never change again."""
        return self.status in TERMINAL_STATUSES

    @property
    def is_summary(self) -> bool:
        """An ended job as a listing shows it: without a completed job's images or a failed job's
        error, which one full read (`GET /v1/jobs/{id}`) gives."""
        return (self.status == COMPLETED and not self.images) or (self.status == FAILED and not self.error)

    @property
    def finished_at(self) -> datetime | None:
        return self.completed_at or self.failed_at

    @property
    def duration(self) -> timedelta | None:
        """How long the user waited: from creation to completion or failure (None while running)."""
        start = self.created_at or self.started_at
        end = self.finished_at
        return end - start if start and end else None

    def to_dict(self) -> JSON:
        """The wire shape: every known field (None where absent), unknown fields kept, ISO times."""
        return {
            **self.extra,
            "job_id": self.job_id,
            "status": self.status,
            "progress": self.progress,
            "model": self.model,
            "num_images": self.num_images,
            "created_at": _iso(self.created_at),
            "started_at": _iso(self.started_at),
            "completed_at": _iso(self.completed_at),
            "failed_at": _iso(self.failed_at),
            "images": [image.to_dict() for image in self.images],
            "tokens_used": self.tokens_used,
            "error": self.error.to_dict() if self.error else None,
            "estimated_time_seconds": self.estimated_time_seconds,
        }

    def filled_from(self, older: JobState) -> JobState:
        """This state, with what it leaves out taken from an older one of the same job.

        The Jobs page's failed job carries no model or num_images, and list entries no start
        time: a fresher but thinner answer must not make a job forget what was already known.
        """
        missing = {
            name: getattr(older, name)
            for name in ("model", "num_images", "created_at", "started_at", "estimated_time_seconds")
            if getattr(self, name) is None and getattr(older, name) is not None
        }
        return replace(self, **missing) if missing else self


@dataclass(frozen=True)
class JobPage:
    """One page of `GET /jobs`: the jobs and where the page sits in the whole list."""

    jobs: tuple[JobState, ...]
    total: int
    limit: int
    offset: int
    has_more: bool

    @classmethod
    def parse(cls, value: Any) -> JobPage:
        data = _object(value, "job list")
        jobs = data.get("jobs")
        if not isinstance(jobs, list):
            raise _bad("job list.jobs", "expected a list")
        has_more = data.get("has_more")
        if not isinstance(has_more, bool):
            raise _bad("job list.has_more", f"expected true or false, got {type(has_more).__name__}")
        numbers = {key: _int(data, key, "job list") for key in ("total", "limit", "offset")}
        missing = [key for key, number in numbers.items() if number is None]
        if missing:
            raise _bad(f"job list.{missing[0]}", "missing")
        return cls(
            jobs=tuple(JobState.parse(job) for job in jobs),
            total=numbers["total"] or 0,
            limit=numbers["limit"] or 0,
            offset=numbers["offset"] or 0,
            has_more=has_more,
        )

    def to_dict(self) -> JSON:
        return {
            "jobs": [job.to_dict() for job in self.jobs],
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "has_more": self.has_more,
        }


@dataclass(frozen=True)
class Asset:
    """An uploaded input image, usable as `generate(asset_id=...)`."""

    asset_id: str
    status: str | None = None
    name: str | None = None
    url: str | None = None
    thumbnail_url: str | None = None
    width: int | None = None
    height: int | None = None
    file_size: int | None = None
    format: str | None = None
    tags: tuple[str, ...] = ()
    created_at: datetime | None = None
    extra: JSON = field(default_factory=dict, hash=False, repr=False)

    _KNOWN = frozenset(
        {"asset_id", "status", "name", "url", "thumbnail_url", "width", "height"}
        | {"file_size", "format", "tags", "created_at"}
    )

    @property
    def id(self) -> str:
        return self.asset_id

    @classmethod
    def parse(cls, value: Any) -> Asset:
        data = _object(value, "asset")
        tags = data.get("tags") or []
        if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
            raise _bad("asset.tags", "expected a list of strings")
        return cls(
            asset_id=_str(data, "asset_id", "asset", required=True) or "",
            status=_str(data, "status", "asset"),
            name=_str(data, "name", "asset"),
            url=_str(data, "url", "asset"),
            thumbnail_url=_str(data, "thumbnail_url", "asset"),
            width=_int(data, "width", "asset"),
            height=_int(data, "height", "asset"),
            file_size=_int(data, "file_size", "asset"),
            format=_str(data, "format", "asset"),
            tags=tuple(tags),
            created_at=_time(data, "created_at", "asset"),
            extra=_extra(data, cls._KNOWN),
        )

    def to_dict(self) -> JSON:
        return {
            **self.extra,
            "asset_id": self.asset_id,
            "status": self.status,
            "name": self.name,
            "url": self.url,
            "thumbnail_url": self.thumbnail_url,
            "width": self.width,
            "height": self.height,
            "file_size": self.file_size,
            "format": self.format,
            "tags": list(self.tags),
            "created_at": _iso(self.created_at),
        }


@dataclass(frozen=True)
class Account:
    """`GET /me`: who the key belongs to, the plan, and the credits left."""

    id: str
    email: str | None = None
    plan: str | None = None
    credits: dict[str, int] = field(default_factory=dict, hash=False)
    extra: JSON = field(default_factory=dict, hash=False, repr=False)

    _KNOWN = frozenset({"id", "email", "plan", "credits"})

    @classmethod
    def parse(cls, value: Any) -> Account:
        data = _object(value, "account")
        credits = _object(data.get("credits") or {}, "account.credits")
        return cls(
            id=_str(data, "id", "account", required=True) or "",
            email=_str(data, "email", "account"),
            plan=_str(data, "plan", "account"),
            credits={key: _int(credits, key, "account.credits") or 0 for key in credits},
            extra=_extra(data, cls._KNOWN),
        )

    @property
    def generations(self) -> int:
        """Credits left for generating images."""
        return self.credits.get("generations", 0)

    def to_dict(self) -> JSON:
        return {
            **self.extra,
            "id": self.id,
            "email": self.email,
            "plan": self.plan,
            "credits": dict(self.credits),
        }
