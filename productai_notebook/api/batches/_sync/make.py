# Generated from ../_async/make.py by scripts/unasync.py: edit that file, not this one.
"""`client.batch(...)`: a new batch, or a dry run. Written once for asyncio; the blocking twin is
generated from it (scripts/unasync.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..core import BatchCore
from ..making import affordable_plan, existing, new_batch
from ..plan import BatchPlan
from ..specs import BatchAxes


def make_batch(
    client: Any, axes: BatchAxes, name: str | None, dry_run: bool, batch_dir: str | Path | None
) -> BatchCore | BatchPlan:
    """`client.batch`: a Batch (or a BatchPlan with `dry_run`: for a batch that exists, of what is
    left to send)."""
    images, made = axes.jobs()
    if not dry_run and (batch := existing(client, name, batch_dir, made)) is not None:
        return batch
    plan = affordable_plan(client.me(), name, batch_dir, images, made)
    if dry_run:
        return plan
    for image in images:
        if image.needs_upload:
            uploaded = client.assets.upload(image.source)
            image.asset_id, image.source = uploaded.asset_id, None
    return new_batch(client, name, batch_dir, images, made)
