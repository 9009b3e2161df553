"""One entry per job of a batch: its spec, how far its create got, its job or its error."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ...contract import TERMINAL_STATUSES
from ..errors import ProductAIError
from ..job import JobHandle
from .specs import JobSpec

QUEUED, SENDING, CREATED, FAILED, LOST = "queued", "sending", "created", "failed", "lost"
STAGES = (QUEUED, SENDING, CREATED, FAILED, LOST)


class RecordedError(ProductAIError):
    """An error a batch recorded in its manifest, read back after a restart: `kind` is its class."""

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        super().__init__(message)


@dataclass(eq=False)
class BatchEntry:
    """A job of a batch. `stage`: "queued" (not sent yet), "sending", "created" (`job` made),
    "failed" (the create surely made no job: `error` says why), "lost" (the create may have made
    a job: `candidates` are the jobs that could be it). A failed *job* is "created", with `job.error`."""

    spec: JobSpec
    stage: str = QUEUED
    job: Any = None  # the Job (or AsyncJob) once made and read
    error: ProductAIError | None = None
    candidates: list[str] = field(default_factory=list)
    job_id: str | None = None  # known before `job` is read again after a restart
    sent_at: datetime | None = None
    # the picks last written to the manifest (a pick in any view rewrites it)
    saved_picks: tuple[int, ...] = ()

    @property
    def ended(self) -> bool:
        """Nothing more will happen to it: its job ended (read in full), or its create failed or was lost."""
        if self.stage in (FAILED, LOST):
            return True
        if self.stage != CREATED:
            return False
        job: JobHandle | None = self.job
        if job is None:
            return self.error is not None  # its job could not be read again
        return job.status in TERMINAL_STATUSES and not job.state.is_summary

    def __repr__(self) -> str:
        spec = self.spec
        what = f"{spec.input_label} x {spec.prompt!r} x {spec.model}"
        detail = self.job.status if self.job is not None else self.stage
        return f"<BatchEntry {what}: {detail}>"

    def to_dict(self) -> dict[str, Any]:
        """The entry as the manifest's header keeps it."""
        return {"spec": self.spec.to_dict(), **self.state()}

    def state(self) -> dict[str, Any]:
        """All of the entry but its spec: what a line of the manifest's journal says of it."""
        data: dict[str, Any] = {"stage": self.stage}
        job_id = self.job.id if self.job is not None else self.job_id
        if job_id:
            data["job_id"] = job_id
        if self.sent_at is not None:
            data["sent_at"] = self.sent_at.isoformat()
        if self.error is not None and self.stage in (FAILED, LOST):
            kind = getattr(self.error, "kind", type(self.error).__name__)
            data["error"] = {"type": kind, "message": str(self.error)}
        if self.candidates:
            data["candidates"] = list(self.candidates)
        if self.saved_picks:
            data["picks"] = list(self.saved_picks)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BatchEntry:
        stage = data.get("stage")
        if stage not in STAGES:
            raise ValueError(f"unknown stage {stage!r}")
        error = data.get("error")
        sent_at = data.get("sent_at")
        return cls(
            spec=JobSpec.from_dict(data["spec"]),
            stage=stage,
            job_id=data.get("job_id"),
            sent_at=datetime.fromisoformat(sent_at) if sent_at else None,
            error=RecordedError(error["type"], error["message"]) if error else None,
            candidates=[str(c) for c in data.get("candidates", [])],
            saved_picks=tuple(int(i) for i in data.get("picks", [])),
        )
