"""The ProductAI client: works in any Python script, no notebook needed.

from productai_notebook.api import ProductAI
with ProductAI() as client:            # PRODUCTAI_API_KEY from the environment
    job = client.generate(model="nanobanana2", image_url="https://...", prompt="on a marble table")
    job.wait()
    job.download("out/")
"""

# `X as X`: what the notebook layer builds on, kept out of __all__ (a script never needs it).
from ._inputs import image_filename as image_filename
from ._inputs import read_image_source as read_image_source
from .batches import (
    AsyncBatch,
    Batch,
    BatchEntry,
    BatchPlan,
    BatchTimeoutError,
    JobSpec,
    ManifestError,
    plan_batch,
)
from .batches import set_batch_dir_hook as set_batch_dir_hook
from .batches import set_batch_display_hook as set_batch_display_hook
from .batches.specs import BatchInput as BatchInput
from .client import AsyncProductAI, ProductAI
from .client import blocking_client as blocking_client
from .engine.connection import Connection as Connection
from .engine.pacing import Budget
from .engine.sender import Sender as Sender
from .engine.tracker import IDLE as IDLE
from .engine.tracker import LIVE as LIVE
from .engine.tracker import QUEUED as QUEUED
from .engine.tracker import RECONNECTING as RECONNECTING
from .engine.tracker import Tracker as Tracker
from .engine.tracker import current_tracker as current_tracker
from .engine.tracker import get_tracker as get_tracker
from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidArgumentError,
    InvalidResponseError,
    JobFailedError,
    JobMayExistError,
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    ProductAIError,
    RateLimitError,
)
from .input_checks import CheckedInput as CheckedInput
from .input_checks import check_input_image as check_input_image
from .input_checks import input_rules as input_rules
from .job import AsyncJob, Job
from .job import JobHandle as JobHandle
from .job import set_display_hook as set_display_hook
from .models import Account, Asset, JobError, JobImage, JobPage, JobState
from .resources import FetchedImage as FetchedImage
from .resources import JobPages as JobPages
from .resources import fetch_image as fetch_image

__all__ = [
    "ProductAI",
    "AsyncProductAI",
    "Job",
    "AsyncJob",
    "JobState",
    "JobImage",
    "JobError",
    "JobPage",
    "Asset",
    "Account",
    "Budget",
    "Batch",
    "AsyncBatch",
    "BatchEntry",
    "BatchPlan",
    "JobSpec",
    "plan_batch",
    "BatchTimeoutError",
    "ManifestError",
    "ProductAIError",
    "APIConnectionError",
    "APITimeoutError",
    "APIStatusError",
    "BadRequestError",
    "AuthenticationError",
    "PermissionDeniedError",
    "InsufficientCreditsError",
    "NotFoundError",
    "RateLimitError",
    "InternalServerError",
    "InvalidResponseError",
    "InvalidArgumentError",
    "JobFailedError",
    "JobMayExistError",
    "JobTimeoutError",
]
