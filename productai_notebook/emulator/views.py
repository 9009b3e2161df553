"""The JSON the API answers with, shaped field by field like the Jobs page examples."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from ..contract import (
    ASPECT_RATIOS,
    COMPLETED,
    ERROR_GENERATION_FAILED,
    EVENT_COMPLETED,
    EVENT_FAILED,
    FAILED,
    PENDING,
)
from .lifecycle import progress_at, status_at
from .store import AssetRecord, JobRecord

FAILURE_MESSAGE = "Unable to process the input image"


def iso(epoch: float) -> str:
    """UTC with milliseconds and a Z, like the Jobs page (which shows whole seconds)."""
    moment = datetime.fromtimestamp(epoch, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def image_urls(job: JobRecord, origin: str) -> list[dict[str, Any]]:
    width, height = ASPECT_RATIOS[job.aspect_ratio]
    return [
        {"url": f"{origin}/files/{job.job_id}/{n}.jpg", "width": width, "height": height}
        for n in range(1, job.num_images + 1)
    ]


def job_error() -> dict[str, str]:
    return {"code": ERROR_GENERATION_FAILED, "message": FAILURE_MESSAGE}


def job_view(job: JobRecord, now: float, origin: str) -> dict[str, Any]:
    """`GET /v1/jobs/{id}`: which fields appear depends on the status, as on the Jobs page."""
    t = job.timeline
    status = status_at(t, now)
    if status == FAILED:
        # The page's failed example has no progress, model or num_images: neither do we.
        return {
            "job_id": job.job_id,
            "status": status,
            "created_at": iso(t.created_at),
            "started_at": iso(t.started_at),
            "failed_at": iso(t.ends_at),
            "error": job_error(),
        }
    view: dict[str, Any] = {
        "job_id": job.job_id,
        "status": status,
        "progress": progress_at(t, now),
        "created_at": iso(t.created_at),
    }
    if status != PENDING:
        view["started_at"] = iso(t.started_at)
    if status == COMPLETED:
        view["completed_at"] = iso(t.ends_at)
    view["model"] = job.model
    view["num_images"] = job.num_images
    if status == COMPLETED:
        view["images"] = image_urls(job, origin)
        view["tokens_used"] = job.tokens
    return view


def job_summary(job: JobRecord, now: float, with_progress: bool = True) -> dict[str, Any]:
    """An item of `GET /v1/jobs`: the page's fields, plus the end time and outcome of its status
    (and the progress of a running job, unless the emulator plays a server whose lists lack it)."""
    t = job.timeline
    status = status_at(t, now)
    summary: dict[str, Any] = {
        "job_id": job.job_id,
        "status": status,
        "model": job.model,
        "num_images": job.num_images,
        "created_at": iso(t.created_at),
    }
    if status == COMPLETED:
        summary["completed_at"] = iso(t.ends_at)
        summary["tokens_used"] = job.tokens
    elif status == FAILED:
        summary["failed_at"] = iso(t.ends_at)
        summary["error"] = job_error()
    elif with_progress:
        summary["progress"] = progress_at(t, now)
    return summary


def created_view(job: JobRecord, estimated_seconds: int) -> dict[str, Any]:
    """The 202 answer of `POST /v1/generate`."""
    return {
        "job_id": job.job_id,
        "status": PENDING,
        "created_at": iso(job.timeline.created_at),
        "estimated_time_seconds": estimated_seconds,
        "model": job.model,
        "num_images": job.num_images,
    }


def asset_view(asset: AssetRecord, origin: str) -> dict[str, Any]:
    return {
        "asset_id": asset.asset_id,
        "name": asset.name,
        "status": "ready",
        "url": f"{origin}/files/assets/{asset.asset_id}",
        "thumbnail_url": f"{origin}/files/assets/{asset.asset_id}/thumbnail.jpg",
        "width": asset.width,
        "height": asset.height,
        "file_size": asset.file_size,
        "format": asset.format,
        "tags": asset.tags,
        "created_at": iso(asset.created_at),
    }


def webhook_payload(job: JobRecord, origin: str) -> dict[str, Any]:
    """The body POSTed to a job's webhook_url once it ended."""
    t = job.timeline
    if t.fails:
        return {
            "event": EVENT_FAILED,
            "job_id": job.job_id,
            "status": FAILED,
            "error": job_error(),
            "failed_at": iso(t.ends_at),
        }
    return {
        "event": EVENT_COMPLETED,
        "job_id": job.job_id,
        "status": COMPLETED,
        "images": image_urls(job, origin),
        "tokens_used": job.tokens,
        "completed_at": iso(t.ends_at),
    }
