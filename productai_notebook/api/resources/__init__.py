"""The API's resources, one module each, as `client.jobs`, `client.assets` and `job.download()` use them."""

from .assets import Assets, AsyncAssets
from .downloads import FetchedImage, download, download_async, fetch_image
from .jobs import AsyncJobs, JobPages, Jobs

__all__ = [
    "Jobs", "AsyncJobs", "JobPages", "Assets", "AsyncAssets",
    "download", "download_async", "fetch_image", "FetchedImage",
]
