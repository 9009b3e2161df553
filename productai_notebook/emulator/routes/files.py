"""Generated images and uploaded assets as files: no authentication, like a CDN."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from ...contract import ASPECT_RATIOS, COMPLETED, ERROR_NOT_FOUND
from .. import images, inputs
from ..endpoint import settings_of
from ..errors import ApiError, error_response
from ..lifecycle import status_at
from ..store import JobRecord, Store

IMAGE_CACHE_SIZE = 256  # rendered JPEGs kept (~30-100 kB each)
THUMBNAIL_EDGE = 256
# Decoding an input takes up to 100 MB (see inputs.MAX_INPUT_PIXELS): two at a time bound the
# emulator's memory however many images are asked for at once.
_DECODING = threading.BoundedSemaphore(2)


class ImageCache:
    """Generated JPEGs, rendered on first request (eager rendering of every job would be slow)."""

    def __init__(self) -> None:
        self._images: OrderedDict[tuple[str, int], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], render: Callable[[], bytes]) -> bytes:
        with self._lock:
            if key in self._images:
                self._images.move_to_end(key)
                return self._images[key]
        data = render()
        with self._lock:
            self._images[key] = data
            if len(self._images) > IMAGE_CACHE_SIZE:
                self._images.popitem(last=False)
        return data


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

    def render() -> bytes:
        size = ASPECT_RATIOS[job.aspect_ratio]
        with _DECODING:
            product = inputs.open_product(_input_bytes(store, job), size)
        return images.render(job.job_id, number, job.prompt or job.preset_id or "", size, product)

    cache: ImageCache = request.app.state.images
    data = await run_in_threadpool(cache.get, (job.job_id, number), render)
    forever = {"Cache-Control": "public, max-age=31536000, immutable"}  # a completed job never changes
    return Response(data, media_type="image/jpeg", headers=forever)


async def asset_file(request: Request) -> Response:
    store = settings_of(request).store
    asset_id = request.path_params["asset_id"]
    asset, data = store.asset(asset_id), store.asset_data(asset_id)
    if asset is None or data is None:
        return error_response(404, ERROR_NOT_FOUND, "No such asset")
    if request.url.path.endswith("/thumbnail.jpg"):
        return Response(await run_in_threadpool(_thumbnail, data), media_type="image/jpeg")
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
