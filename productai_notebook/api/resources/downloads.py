"""`job.download(folder)`: saving a completed job's images, blocking and awaited.

Images live on a CDN, not the API: they are fetched without the API key and with their own timeout.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import httpx

from ...contract import COMPLETED, FAILED
from .._http import ClientSettings
from .._inputs import image_filename
from ..errors import APIConnectionError, InvalidResponseError, JobFailedError, ProductAIError
from ..job import JobHandle
from ..models import JobImage

DEFAULT_DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class ImageDownload:
    """Saving a completed job's images into a folder, minus the sending: see `download` below.

    Each image: send `request(http, image)` inside `with fetching(image):` (a network error
    becomes the typed error), then `save(image, response)`; `saved` lists the files written.
    """

    def __init__(self, settings: ClientSettings, job: JobHandle, folder: Path) -> None:
        if job.status == FAILED:
            raise JobFailedError(job)
        if job.status != COMPLETED:
            raise ProductAIError(
                f"Job {job.id} is {job.status}, not completed: wait for it first (job.wait())."
            )
        for index, image in enumerate(job.images):
            if not image.url.startswith(("http://", "https://")):
                raise InvalidResponseError(
                    f"Image {index} of job {job.id} has no http(s) URL; cannot download it."
                )
        folder.mkdir(parents=True, exist_ok=True)
        self._settings = settings
        self._job = job
        self._folder = folder
        self.images = list(enumerate(job.images))
        self.saved: list[Path] = []

    @staticmethod
    def request(http: httpx.Client | httpx.AsyncClient, image: tuple[int, JobImage]) -> httpx.Request:
        # images live on a CDN: the API key is for the API only, so no Authorization goes along,
        # not even one a caller's own http_client carries by default (its `auth=` is off in `send`)
        request = http.build_request("GET", image[1].url, timeout=DEFAULT_DOWNLOAD_TIMEOUT)
        request.headers.pop("Authorization", None)
        return request

    @contextlib.contextmanager
    def fetching(self, image: tuple[int, JobImage]) -> Iterator[None]:
        try:
            yield
        except httpx.RequestError as error:  # a network error, or a redirect loop
            detail = self._settings.redact(f"{type(error).__name__}: {error}")[:200]
            raise APIConnectionError(
                f"Downloading image {image[0]} of job {self._job.id} failed ({detail}): retry."
            ) from None

    def save(self, image: tuple[int, JobImage], response: httpx.Response) -> None:
        index, job_image = image
        if response.status_code != 200:
            raise ProductAIError(
                f"Downloading image {index} of job {self._job.id} got HTTP {response.status_code}: "
                "retry later."
            )
        name = image_filename(self._job.id, index, job_image.url, response.headers.get("content-type"))
        path = self._folder / name
        # write beside, then rename: an interrupted download never leaves half an image under the final name
        fd, tmp = tempfile.mkstemp(dir=self._folder, prefix=".part-")
        with os.fdopen(fd, "wb") as out:
            out.write(response.content)
        os.replace(tmp, path)
        self.saved.append(path)


def download(settings: ClientSettings, http: httpx.Client, job: JobHandle, folder: Path) -> list[Path]:
    """Save `job`'s images into `folder` with a blocking connection pool; returns the paths."""
    saving = ImageDownload(settings, job, folder)
    for image in saving.images:
        with saving.fetching(image):
            request = saving.request(http, image)
            # a redirect only ever drops headers: it cannot add the key
            saving.save(image, http.send(request, auth=None, follow_redirects=True))
    return saving.saved


async def download_async(
    settings: ClientSettings, http: httpx.AsyncClient, job: JobHandle, folder: Path
) -> list[Path]:
    """`download`, awaited."""
    saving = ImageDownload(settings, job, folder)
    for image in saving.images:
        with saving.fetching(image):
            request = saving.request(http, image)
            saving.save(image, await http.send(request, auth=None, follow_redirects=True))
    return saving.saved
