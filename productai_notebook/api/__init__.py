"""The ProductAI client: works in any Python script, no notebook needed.

from productai_notebook.api import ProductAI
with ProductAI() as client:            # PRODUCTAI_API_KEY from the environment
    job = client.generate(model="nanobanana2", image_url="https://...", prompt="on a marble table")
    job.wait()
    job.download("out/")
"""

from .client import AsyncProductAI, ProductAI
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
    JobTimeoutError,
    NotFoundError,
    PermissionDeniedError,
    ProductAIError,
    RateLimitError,
)
from .job import AsyncJob, Job
from .models import Account, Asset, JobError, JobImage, JobPage, JobState

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
    "JobTimeoutError",
]
