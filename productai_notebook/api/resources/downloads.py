"""`job.download(folder)`: saving a completed job's images (the requests: `_async/download.py`, `_sync/`).

Images live on a CDN, not the API: they are fetched without the API key and with their own timeout.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import httpx

from ...contract import COMPLETED, FAILED
from .._http import ClientSettings
from .._inputs import image_filename
from ..errors import APIConnectionError, InvalidResponseError, JobFailedError, ProductAIError
from ..job import JobHandle
from ..models import JobImage

if TYPE_CHECKING:
    from ..client import ProductAI

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
        tmp = self._folder / f".part-{secrets.token_hex(8)}"
        # created as any file the user writes is (mode 0666 less the umask), not mkstemp's private 0600
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
        with os.fdopen(fd, "wb") as out:
            out.write(response.content)
        os.replace(tmp, path)
        self.saved.append(path)


MAX_IMAGE_BYTES = 25 * 1024 * 1024  # far above any generated image; the cap a caller may lower


@dataclass(frozen=True)
class FetchedImage:
    """One image's bytes as its host sent them, and the type the host said (may be "")."""

    content: bytes
    content_type: str


def fetch_image(client: ProductAI, url: str, *, max_bytes: int = MAX_IMAGE_BYTES) -> FetchedImage:
    """The bytes of the image at `url`, read with `client`'s connection but never its key.

    For what cannot reach the image itself (a browser away from the kernel's machine). Reads at
    most `max_bytes`: a larger image raises ProductAIError, as does an HTTP error status or a URL
    that is not http(s); a network error raises APIConnectionError.
    """
    if not url.startswith(("http://", "https://")):
        raise InvalidResponseError("Only http(s) image URLs can be fetched.")
    settings, http = client.settings, client.connection_pool()
    request = http.build_request("GET", url, timeout=DEFAULT_DOWNLOAD_TIMEOUT)
    request.headers.pop("Authorization", None)  # the key is for the API, never an image host
    try:
        response = http.send(request, auth=None, follow_redirects=True, stream=True)
        try:
            if response.status_code != 200:
                raise ProductAIError(f"Fetching an image got HTTP {response.status_code}: retry later.")
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise ProductAIError(f"The image is larger than {max_bytes} bytes: not fetched.")
            content = bytearray()
            for chunk in response.iter_bytes():
                content += chunk
                if len(content) > max_bytes:
                    raise ProductAIError(f"The image is larger than {max_bytes} bytes: not fetched.")
            return FetchedImage(bytes(content), response.headers.get("content-type", ""))
        finally:
            response.close()
    except httpx.RequestError as error:
        detail = settings.redact(f"{type(error).__name__}: {error}")[:200]
        raise APIConnectionError(f"Fetching an image failed ({detail}): retry.") from None
