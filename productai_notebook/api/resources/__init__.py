"""The API's resources, one module each, as `client.jobs`, `client.assets` and `job.download()` use them.

Where the blocking and the asyncio side differ only by `async`/`await`, the asyncio side is written
(`_async/`) and the blocking side generated from it (`_sync/`, by scripts/unasync.py).
"""

from ._async.assets import AsyncAssets
from ._async.download import download_async
from ._async.jobs import AsyncJobs
from ._sync.assets import Assets
from ._sync.download import download
from ._sync.jobs import Jobs
from .downloads import FetchedImage, fetch_image
from .pages import JobPages

__all__ = [
    "Jobs", "AsyncJobs", "JobPages", "Assets", "AsyncAssets",
    "download", "download_async", "fetch_image", "FetchedImage",
]
