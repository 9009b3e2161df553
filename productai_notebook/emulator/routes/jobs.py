"""`POST /v1/generate`, `GET /v1/jobs` and `GET /v1/jobs/{job_id}`."""

from __future__ import annotations

import random
import secrets
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ...contract import ERROR_INSUFFICIENT_CREDITS, ERROR_JOB_NOT_FOUND, FAIL_MARKER, tokens_for
from .. import inputs, validation, views
from ..endpoint import read_body, settings_of
from ..errors import ApiError, invalid
from ..lifecycle import estimate_seconds, job_duration, plan_timeline
from ..store import Account, InsufficientCredits, JobRecord


async def generate(request: Request, account: Account) -> tuple[int, Any]:
    settings = settings_of(request)
    store = settings.store
    wanted = validation.generate_request(validation.json_object(await read_body(request)))
    if wanted.asset_id is not None and store.asset(wanted.asset_id, account.user_id) is None:
        raise invalid("asset_id", "no uploaded asset of this account has this id")
    unusable_input = False
    if wanted.image_url is not None and wanted.image_url.startswith("data:"):
        await run_in_threadpool(_within_budget, wanted.image_url)
    elif wanted.image_url is not None and inputs.is_loopback(wanted.image_url):
        unusable_input = await run_in_threadpool(_unusable_loopback, wanted.image_url)
    fails = unusable_input or FAIL_MARKER in (wanted.prompt or "") or FAIL_MARKER in (wanted.image_url or "")
    cost = tokens_for(wanted.model, wanted.num_images)
    created_at = time.time()

    def make(seq: int) -> JobRecord:
        duration = job_duration(settings.seed, seq, settings.job_seconds)
        return JobRecord(
            seq=seq,
            job_id="job_" + secrets.token_urlsafe(12),
            user_id=account.user_id,
            model=wanted.model,
            num_images=wanted.num_images,
            aspect_ratio=wanted.aspect_ratio,
            prompt=wanted.prompt,
            preset_id=wanted.preset_id,
            image_url=wanted.image_url,
            asset_id=wanted.asset_id,
            webhook_url=wanted.webhook_url,
            timeline=plan_timeline(created_at, duration, fails),
            tokens=0 if fails else cost,
        )

    try:
        job = store.create_job(account, cost, make)
    except InsufficientCredits as short:
        raise ApiError(
            403,
            ERROR_INSUFFICIENT_CREDITS,
            f"This job needs {short.needed} credits and the account has {short.available}; "
            "buy credits or lower num_images",
        ) from None
    if job.webhook_url:
        settings.webhooks.job_created()
    estimate = estimate_seconds(job.timeline, settings.seed, job.seq, settings.estimate_error)
    return 202, views.created_view(job, estimate)


def _within_budget(data_url: str) -> None:
    """A data URL input larger than the pixel budget is refused now, not silently dropped later."""
    data = inputs.decode_data_url(data_url)
    try:
        if data is not None:
            inputs.check_image(data)
    except inputs.OverBudget as refused:
        raise invalid("image_url", str(refused)) from None
    except inputs.RefusedImage:
        pass  # an unreadable input renders without the product, as an unreachable URL does


def _unusable_loopback(url: str) -> bool:
    """A loopback input (a test's or a local file server's) is read now: an HTTP error or a body that
    is not an image fails the job; one larger than the pixel budget is refused, as a data URL is."""
    try:
        return inputs.unusable_loopback_input(url)
    except inputs.OverBudget as refused:
        raise invalid("image_url", str(refused)) from None


async def get_job(request: Request, account: Account) -> tuple[int, Any]:
    settings = settings_of(request)
    job = settings.store.job(account.user_id, request.path_params["job_id"])
    if job is None:
        raise ApiError(404, ERROR_JOB_NOT_FOUND, "No job with this id in this account")
    return 200, views.job_view(job, time.time(), settings.origin())


async def list_jobs(request: Request, account: Account) -> tuple[int, Any]:
    page = validation.page(request.query_params)
    now = time.time()
    settings = settings_of(request)
    jobs, total = settings.store.list_jobs(account.user_id, page.status, page.limit, page.offset, now)
    if settings.list_order == "shuffled":
        # the same jobs on the same page, in an order a client cannot rely on
        random.shuffle(jobs)
    return 200, {
        "jobs": [views.job_summary(job, now, settings.list_progress) for job in jobs],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "has_more": page.offset + len(jobs) < total,
    }
