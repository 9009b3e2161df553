"""Batches: many jobs made together (inputs x prompts x models), priced before they are sent,
kept in a manifest on disk so a restart loses nothing and a re-run pays nothing twice."""

from ._async.make import make_batch_async
from ._sync.make import make_batch
from .async_batch import AsyncBatch
from .batch import Batch
from .core import BatchTimeoutError, set_batch_display_hook
from .entries import BatchEntry
from .manifest import ManifestError, set_batch_dir_hook
from .plan import BatchPlan, plan_batch
from .specs import BatchAxes, JobSpec

__all__ = [
    "Batch", "AsyncBatch", "BatchEntry", "BatchPlan", "JobSpec", "BatchAxes", "plan_batch",
    "BatchTimeoutError", "ManifestError", "make_batch", "make_batch_async", "set_batch_display_hook",
    "set_batch_dir_hook",
]
