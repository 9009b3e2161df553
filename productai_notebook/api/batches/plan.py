"""A batch's cost before anything is sent: jobs, images, credits, requests and the time its rate
limit makes them take. Pure arithmetic (`plan_batch`), so a form can preview it on every change."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ...contract import (
    DEFAULT_ASPECT_RATIO,
    DEFAULT_NUM_IMAGES,
    ERROR_INSUFFICIENT_CREDITS,
    RATE_LIMITS_PER_MINUTE,
    tokens_for,
)
from ..engine.pacing import WINDOW_SECONDS
from ..errors import InsufficientCreditsError, InvalidArgumentError
from .specs import BatchAxes, BatchInput, JobSpec


@dataclass(frozen=True)
class BatchPlan:
    """What a batch will make and cost: `client.batch(..., dry_run=True)` or `plan_batch(...)`."""

    specs: list[JobSpec] = field(repr=False)
    jobs: int
    images: int
    credits: int
    #: the account's credits when the plan was made (None: not asked, as `plan_batch` never asks)
    balance: int | None
    #: the requests the batch sends: one create per job and one upload per local image
    requests: int
    #: how long the plan's rate limit makes those requests take, in seconds (0: all in one window)
    seconds: float
    plan: str
    uploads: int = 0

    @property
    def affordable(self) -> bool | None:
        """Whether the balance covers the credits (None when the balance is not known)."""
        return None if self.balance is None else self.credits <= self.balance

    def check_credits(self) -> None:
        """InsufficientCreditsError, before any create, when the balance cannot pay for the batch."""
        if self.affordable is False:
            raise InsufficientCreditsError(
                403,
                ERROR_INSUFFICIENT_CREDITS,
                f"This batch needs {self.credits} credits ({self.jobs} jobs, {self.images} images) and the "
                f"account has {self.balance}; nothing was sent",
            )

    def describe(self) -> str:
        """One line for a person: what it makes, what it costs, how long the requests take."""
        balance = "" if self.balance is None else f" of {self.balance} left"
        took = f"about {_duration(self.seconds)}" if self.seconds else "within one rate-limit window"
        return (
            f"{self.jobs} jobs, {self.images} images, {self.credits} credits{balance}; "
            f"{self.requests} requests, sent {took} on the {self.plan} plan"
        )

    def __str__(self) -> str:
        return self.describe()


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def send_seconds(requests: int, limit: int, window: float = WINDOW_SECONDS) -> float:
    """How long `requests` take under `limit` per sliding `window`: the first `limit` go at once,
    each next `limit` one window later."""
    return (requests - 1) // limit * window if requests > 0 else 0.0


def plan_of(
    images: Sequence[BatchInput], specs: Sequence[JobSpec], *, plan: str, balance: int | None = None
) -> BatchPlan:
    if plan not in RATE_LIMITS_PER_MINUTE:
        plans = ", ".join(RATE_LIMITS_PER_MINUTE)
        raise InvalidArgumentError("plan", f"must be one of {plans}, not {plan!r}")
    used = {spec.input_label for spec in specs}
    uploads = sum(1 for image in images if image.needs_upload and image.label in used)
    requests = len(specs) + uploads
    return BatchPlan(
        specs=list(specs),
        jobs=len(specs),
        images=sum(spec.num_images for spec in specs),
        credits=sum(tokens_for(spec.model, spec.num_images) for spec in specs),
        balance=balance,
        requests=requests,
        seconds=send_seconds(requests, RATE_LIMITS_PER_MINUTE[plan]),
        plan=plan,
        uploads=uploads,
    )


def plan_batch(
    specs: Sequence[Any] | None = None,
    *,
    prompts: Any = None,
    models: Any = None,
    inputs: Any = None,
    num_images: int = DEFAULT_NUM_IMAGES,
    aspect_ratio: str = DEFAULT_ASPECT_RATIO,
    preset_id: str | None = None,
    webhook_url: str | None = None,
    plan: str = "pro",
    balance: int | None = None,
) -> BatchPlan:
    """A batch's plan without any request: the same arithmetic as `client.batch(..., dry_run=True)`.

    `plan` ("free", "pro", "enterprise") sets the rate limit the time is reckoned with; `balance`,
    when given, is what `plan.affordable` compares the credits with.
    """
    return plan_of(*BatchAxes.of(locals()).jobs(), plan=plan, balance=balance)
