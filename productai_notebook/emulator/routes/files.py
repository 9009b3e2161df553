"""Generated images and uploaded assets as files: no authentication, like a CDN."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Generic, TypeVar

from PIL import Image
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...contract import ASPECT_RATIOS, COMPLETED, ERROR_NOT_FOUND
from .. import images, inputs
from ..endpoint import settings_of
from ..errors import ApiError, error_response
from ..lifecycle import status_at
from ..store import JobRecord, Store

IMAGE_CACHE_SIZE = 256  # rendered JPEGs kept (~30-100 kB each): job images, asset thumbnails
PRODUCT_CACHE_SIZE = 8  # inputs shrunk to their jobs' output size (at most 4 MB each)
THUMBNAIL_EDGE = 256
# Decoding an input holds its pixels (up to 100 MB: see inputs.MAX_INPUT_PIXELS): one decode at a
# time in the process bounds its memory however many images (of however many emulators) are asked for.
_DECODING = threading.Lock()

K = TypeVar("K")
V = TypeVar("V")


class Cache(Generic[K, V]):
    """The last `size` values made, by key: generated JPEGs and asset thumbnails are made on first
    request (eager rendering of every job would be slow); a job's input is shrunk once for all its
    images."""

    def __init__(self, size: int) -> None:
        self._values: OrderedDict[K, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: K, make: Callable[[], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make()
        with self._lock:
            self._values[key] = value
            if len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


async def job_image(request: Request) -> Response:
    store = settings_of(request).store
    job = store.job_by_id(request.path_params["job_id"])
    number = _image_number(request.path_params["name"])
    if (
        job is None
        or number is None
        or not 1 <= number <= job.num_images
        or status_at(job.timeline, time.time()) != COMPLETED
    ):
        return error_response(404, ERROR_NOT_FOUND, "No such image")

    size = ASPECT_RATIOS[job.aspect_ratio]
    products: Cache[str, Image.Image | None] = request.app.state.products

    def shrunk_input() -> Image.Image | None:
        data = _input_bytes(store, job)  # fetched outside the lock: a loopback URL may be one of ours
        with _DECODING:  # the job's other images wait here, then find it made
            return products.get(job.job_id, lambda: inputs.open_product(data, size))

    def render() -> bytes:
        product = shrunk_input()
        return images.render(job.job_id, number, job.prompt or job.preset_id or "", size, product)

    rendered: Cache[tuple[str, int], bytes] = request.app.state.images
    data = await run_in_threadpool(rendered.get, (job.job_id, number), render)
    forever = {"Cache-Control": "public, max-age=31536000, immutable"}  # a completed job never changes
    return Response(data, media_type="image/jpeg", headers=forever)


async def asset_file(request: Request) -> Response:
    store = settings_of(request).store
    asset_id = request.path_params["asset_id"]
    asset, data = store.asset(asset_id), store.asset_data(asset_id)
    if asset is None or data is None:
        return error_response(404, ERROR_NOT_FOUND, "No such asset")
    if request.url.path.endswith("/thumbnail.jpg"):
        rendered: Cache[tuple[str, int], bytes] = request.app.state.images
        thumbnail = await run_in_threadpool(rendered.get, (asset_id, 0), lambda: _thumbnail(data))
        return Response(thumbnail, media_type="image/jpeg")
    return Response(data, media_type=f"image/{asset.format}")


def _thumbnail(data: bytes) -> bytes:
    with _DECODING:
        image = inputs.open_product(data, (THUMBNAIL_EDGE, THUMBNAIL_EDGE))
    if image is None:  # an asset stored before the pixel budget existed
        raise ApiError(404, ERROR_NOT_FOUND, "This asset has no thumbnail")
    return images.jpeg(image)


def _image_number(name: str) -> int | None:
    stem, dot, ext = name.partition(".")
    # isdigit() alone would pass "²", which int() refuses
    return int(stem) if dot and ext == "jpg" and stem.isascii() and stem.isdigit() and len(stem) < 3 else None


def _input_bytes(store: Store, job: JobRecord) -> bytes | None:
    if job.asset_id is not None:
        return store.asset_data(job.asset_id)
    if job.image_url is None:
        return None
    if job.image_url.startswith("data:"):
        return inputs.decode_data_url(job.image_url)
    return inputs.fetch_loopback(job.image_url) if inputs.is_loopback(job.image_url) else None
