"""The API's resources, one module each, as `client.jobs`, `client.assets` and `job.download()` use them."""

from .assets import Assets, AsyncAssets
from .downloads import download, download_async
from .jobs import AsyncJobs, JobPages, Jobs

__all__ = ["Jobs", "AsyncJobs", "JobPages", "Assets", "AsyncAssets", "download", "download_async"]
