# Generated from ../_async/download.py by scripts/unasync.py: edit that file, not this one.
"""`job.download(folder)`: the requests; what is saved where is `..downloads`."""

from __future__ import annotations

from pathlib import Path

import httpx

from ..._http import ClientSettings
from ...job import JobHandle
from ..downloads import ImageDownload


def download(
    settings: ClientSettings, http: httpx.Client, job: JobHandle, folder: Path
) -> list[Path]:
    """Save `job`'s images into `folder` through `http` (never with the API key); returns the paths."""
    saving = ImageDownload(settings, job, folder)
    for image in saving.images:
        with saving.fetching(image):
            request = saving.request(http, image)
            # a redirect only ever drops headers: it cannot add the key
            saving.save(image, http.send(request, auth=None, follow_redirects=True))
    return saving.saved
