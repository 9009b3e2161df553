"""`client.batch(...)` and `Batch.open(...)`: a new batch, a dry run, or the batch a manifest names
(`client.batch` itself, blocking or awaited: `_async/make.py`, and its generated twin).

A real run asks the balance first (`me()`, which also tells the engine the plan it paces to),
refuses a batch the credits cannot pay for before any create, uploads each local image once,
writes the manifest, and only then lets the worker send the creates.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ...contract import RATE_LIMITS_PER_MINUTE
from ..errors import InvalidArgumentError
from ..models import Account
from .async_batch import AsyncBatch
from .batch import Batch
from .core import BatchCore
from .entries import QUEUED, BatchEntry
from .manifest import ManifestError, ManifestFile, manifest_path, new_name, read_manifest
from .plan import BatchPlan, plan_of
from .specs import BatchInput, JobSpec

log = logging.getLogger("productai_notebook.api")

DEFAULT_PLAN = "pro"  # when the account's plan is one this package does not know


def _plan_name(account: Account) -> str:
    return account.plan if account.plan in RATE_LIMITS_PER_MINUTE else DEFAULT_PLAN


def _is_async(client: Any) -> bool:
    from ..client import AsyncProductAI

    return isinstance(client, AsyncProductAI)


def _class_of(client: Any) -> type[BatchCore]:
    return AsyncBatch if _is_async(client) else Batch


def existing(
    client: Any, name: str | None, batch_dir: str | Path | None, specs: list[JobSpec]
) -> BatchCore | None:
    """The batch named `name` when its manifest exists (re-attached, and said so), else None.

    Its specs must be this call's: a changed call under an old name is an error, not old images.
    """
    if name is None:
        return None
    path = manifest_path(name, batch_dir)
    if not path.exists():
        return None
    batch = open_batch(client, name, batch_dir)
    if [entry.spec for entry in batch.entries] != specs:
        raise InvalidArgumentError(
            "name",
            f"batch {name!r} exists ({path}) with other jobs than this call's; nothing was sent. "
            f"Give the new batch another name, or open the old one with Batch.open({name!r}, client)",
        )
    note = (
        f"Batch {name!r} already exists: re-attached to its {len(batch)} jobs ({path}); "
        "nothing made is paid for again."
    )
    log.info(note)
    print(note)
    return batch


def new_batch(
    client: Any,
    name: str | None,
    batch_dir: str | Path | None,
    images: list[BatchInput],
    specs: list[JobSpec],
) -> BatchCore:
    """A batch of `specs` whose inputs are all uploaded: its manifest written, its worker started.

    With no `name`, a new one from the time (two batches in one second: -2, -3, ...).
    """
    while True:
        named = name if name is not None else unused_name(batch_dir)
        manifest = ManifestFile(manifest_path(named, batch_dir))
        batch = _class_of(client)(client, named, manifest, images, [BatchEntry(spec) for spec in specs])
        try:
            batch.create_manifest()
        except FileExistsError:
            if name is None:
                continue  # another batch took that name this very moment: the next one
            # another kernel made it meanwhile (two runs of one notebook): join it, pay nothing twice
            joined = existing(client, name, batch_dir, specs)
            if joined is None:
                raise
            return joined
        batch.resume()
        return batch


def unused_name(batch_dir: str | Path | None) -> str:
    """A new batch's name: the time to the second, then -2, -3, ... for more batches in that second."""
    first = new_name()
    name, count = first, 1
    while manifest_path(name, batch_dir).exists():
        count += 1
        name = f"{first}-{count}"
    return name


def left_to_send(
    name: str | None, batch_dir: str | Path | None, images: list[BatchInput], specs: list[JobSpec]
) -> tuple[list[BatchInput], list[JobSpec]]:
    """What a run of these specs would send: all of them, or, when the batch `name` exists with
    them, only its creates never sent (re-attaching pays for nothing made)."""
    path = manifest_path(name, batch_dir) if name is not None else None
    if path is None or not path.exists():
        return images, specs
    entries = [BatchEntry.from_dict(entry) for entry in read_manifest(path)["entries"]]
    if [entry.spec for entry in entries] != specs:
        return images, specs  # (running it is the error that says so)
    return [], [entry.spec for entry in entries if entry.stage == QUEUED]


def affordable_plan(
    account: Any, name: str | None, batch_dir: str | Path | None, images: Any, made: Any
) -> BatchPlan:
    """What is left to send, priced on the account's plan; InsufficientCreditsError past its balance."""
    plan = plan_of(
        *left_to_send(name, batch_dir, images, made), plan=_plan_name(account),
        balance=account.credits.get("generations"),
    )
    plan.check_credits()
    return plan


def open_batch(client: Any, name: str, batch_dir: str | Path | None) -> BatchCore:
    """The batch of the manifest named `name`, its worker started on what is left to do."""
    path = manifest_path(name, batch_dir)
    manifest = ManifestFile(path)
    try:
        data = manifest.read()
    except FileNotFoundError:
        raise InvalidArgumentError("name", f"no batch named {name!r}: {path} does not exist") from None
    try:
        inputs = [BatchInput(str(i["label"]), i.get("image_url"), i.get("asset_id")) for i in data["inputs"]]
        entries = [BatchEntry.from_dict(entry) for entry in data["entries"]]
        labels = {image.label for image in inputs}
        if any(entry.spec.input_label not in labels for entry in entries):
            raise ValueError("an entry names an input the manifest does not have")
        from datetime import datetime

        created_at = datetime.fromisoformat(data["created_at"])
    except (KeyError, TypeError, ValueError) as error:
        raise ManifestError(f"{path} is a damaged batch manifest ({error}); it was left as it is") from None
    batch = _class_of(client)(client, name, manifest, inputs, entries, created_at)
    batch.resume()
    return batch
