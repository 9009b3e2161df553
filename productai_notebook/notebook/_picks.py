"""Ticks from a browser as a job's picks: one selection per image, shared by every view."""

from __future__ import annotations

from collections.abc import Iterable

from ..api import JobHandle


def set_ticked(job: JobHandle, indices: Iterable[int]) -> None:
    """Make `indices` (ticked in a view, in tick order) the job's picks. An index past the
    images of an ended job (a page drawn from older state) is dropped, not raised in a comm handler."""
    known = len(job.images) if job.is_terminal and not job.state.is_summary else None
    job.set_picks(i for i in indices if i >= 0 and (known is None or i < known))
