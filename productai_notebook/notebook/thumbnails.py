"""Thumbnails that travel with a notebook, and image bytes for a browser that cannot load a URL.

The kernel fetches each completed job's images once (through `api.fetch_image`: the client's
connection, never its key, a size cap), shrinks each to a small JPEG and keeps it: in the
widget's state (binary, saved with the notebook) and as a `data:` image in its static HTML.
Work runs on a few background threads; a process-wide cache means a job shown in a JobView
and in a Gallery is fetched once.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import io
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from cachetools import LRUCache
from PIL import Image

from .._config import config
from ..api import FetchedImage, ProductAIError, blocking_client, fetch_image, image_filename
from ..sandbox import current_client

# A generated image is a few megapixels; anything far larger is not worth decoding for a thumbnail.
MAX_PIXELS = 40_000_000
JPEG_QUALITIES = (82, 72, 62, 50, 40)
JPEG_DATA_URL = "data:image/jpeg;base64,"
CACHE_BYTES = 64 * 1024 * 1024
# what a failed image's entry is counted as: it holds no bytes, yet must not stay in the cache forever
FAILED_ENTRY_BYTES = 1024
# What the browser may be sent as an image (sniffed by Pillow, never taken from the host's header).
IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}

_pool = ThreadPoolExecutor(max_workers=3, thread_name_prefix="productai-images")
_lock = threading.Lock()
_Key = tuple[str, int, int]  # the image's URL, the thumbnail's edge and byte cap


def made_cache(max_bytes: int = CACHE_BYTES) -> LRUCache[_Key, bytes | None]:
    """Made thumbnails (None for an image that gave none) within `max_bytes`, least recently used out first.

    The sizes are kept as entries come and go, never summed again over the whole cache.
    """
    return LRUCache(maxsize=max_bytes, getsizeof=lambda made: len(made or b"") or FAILED_ENTRY_BYTES)


_made = made_cache()
_making: dict[_Key, Future[bytes | None]] = {}


def make_thumbnail(data: bytes, *, edge: int, max_bytes: int) -> bytes | None:
    """A JPEG of at most `edge` px a side and `max_bytes` bytes, or None if `data` is no usable image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                return None
            image.draft("RGB", (edge, edge))  # a JPEG decodes at a fraction of its size: far faster
            image.thumbnail((edge, edge))
            small = _on_white(image)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    for quality in JPEG_QUALITIES:
        out = io.BytesIO()
        small.save(out, "JPEG", quality=quality, optimize=True)
        if out.tell() <= max_bytes:
            return out.getvalue()
    return None


def _on_white(image: Image.Image) -> Image.Image:
    """RGB, with any transparency flattened onto white (JPEG has no alpha)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def image_type(data: bytes) -> str | None:
    """The image's MIME type as Pillow reads the bytes (not as a host claims), if a browser may show it."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return IMAGE_TYPES.get(image.format or "")
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def image_bytes(client: Any, url: str) -> FetchedImage:
    """The image at `url` (http(s) through `client`, or a base64 `data:image/` URL), within the size cap.

    Raises ProductAIError when it cannot be had.
    """
    if url.startswith("data:image/"):
        header, _, payload = url.partition(",")
        if not header.endswith(";base64") or len(payload) > config.image_max_bytes * 4 // 3 + 4:
            raise ProductAIError("This data: image cannot be read.")
        try:
            return FetchedImage(base64.b64decode(payload, validate=True), header[5:].split(";")[0])
        except binascii.Error:
            raise ProductAIError("This data: image cannot be read.") from None
    if client is None:
        raise ProductAIError("No ProductAI client to fetch this image with.")
    return fetch_image(blocking_client(client), url, max_bytes=config.image_max_bytes)


def client_of(job: Any) -> Any:
    """The client to fetch a job's images with: its own, else the one the notebook uses."""
    return getattr(job, "client", None) or current_client()


def thumbnail_of(client: Any, url: str) -> Future[bytes | None]:
    """The thumbnail of the image at `url` (None if it cannot be made), made once per process."""
    key = (url, config.thumbnail_edge, config.thumbnail_max_bytes)
    with _lock:
        if key in _made:
            done: Future[bytes | None] = Future()
            done.set_result(_made[key])  # reading it makes it the most recently used
            return done
        if key not in _making:
            _making[key] = _pool.submit(_make, client, key)
        return _making[key]


def _make(client: Any, key: _Key) -> bytes | None:
    url, edge, max_bytes = key
    try:
        thumbnail = make_thumbnail(image_bytes(client, url).content, edge=edge, max_bytes=max_bytes)
    except ProductAIError:
        thumbnail = None  # the grid loads it from its URL instead
    with _lock:
        _making.pop(key, None)
        with contextlib.suppress(ValueError):  # larger than the whole cache: handed out, not kept
            _made[key] = thumbnail
    return thumbnail


@dataclass(frozen=True)
class ImageSource:
    """One image a widget shows, as the kernel fetches it for the browser."""

    job_id: str
    index: int
    url: str
    client: Any


def send_image(widget: Any, request: Mapping[str, Any], source: ImageSource | None) -> None:
    """Answer the browser's `{"type": "image", "request": n, "key", "size"}` with the image's bytes.

    size "thumbnail" sends the small JPEG, else the image itself, sniffed to be one a browser may
    show; the answer names the file as `job.download()` would. Fetched on the image threads:
    the kernel's message loop never waits on an image host.
    """
    number = request.get("request")

    def reply(data: bytes | None, mime: str | None) -> None:
        if source is None or data is None or mime is None:
            problem = "This widget shows no such image." if source is None else "No image came from its host."
            widget.send({"type": "image", "request": number, "error": problem})
            return
        name = image_filename(source.job_id, source.index, source.url, mime)
        widget.send({"type": "image", "request": number, "mime": mime, "filename": name}, buffers=[data])

    def send_full() -> None:
        try:
            data: bytes | None = image_bytes(source.client, source.url).content if source else None
        except ProductAIError:
            data = None
        reply(data, image_type(data) if data else None)

    if source is not None and request.get("size") == "thumbnail":
        # answered when made, never by a thread that waits on another: the pool could run dry
        thumbnail_of(source.client, source.url).add_done_callback(
            lambda made: reply(None if made.exception() else made.result(), "image/jpeg")
        )
    else:
        _pool.submit(send_full)


class Thumbnails:
    """The thumbnails one widget keeps, by the widget's own image keys, within its byte budget.

    `ask(key, url, client)` starts making one; `on_made(ready)` runs as each is made, `ready`
    once nothing asked is still being made. `made()` is what the widget sends and saves.
    """

    def __init__(
        self, on_made: Callable[[bool], None], *, budget_bytes: Callable[[], int] | None = None
    ) -> None:
        self._on_made = on_made
        # the widget's byte budget (a board's grows with its jobs); `config.thumbnail_budget_bytes` by default
        self._budget_bytes = budget_bytes or (lambda: config.thumbnail_budget_bytes)
        self._lock = threading.Lock()
        self._none_pending = threading.Event()
        self._none_pending.set()
        self._made: dict[str, bytes] = {}
        self._asked: set[str] = set()
        self._pending = 0
        self._spent = 0

    def ask(self, key: str, url: str, client: Any) -> None:
        if not config.thumbnails:
            return
        with self._lock:
            if key in self._asked:
                return
            self._asked.add(key)
            self._pending += 1
            self._none_pending.clear()
        thumbnail_of(client, url).add_done_callback(lambda made: self._keep(key, made))

    def _keep(self, key: str, made: Future[bytes | None]) -> None:
        thumbnail = None if made.cancelled() or made.exception() else made.result()
        with self._lock:
            if thumbnail is not None and self._spent + len(thumbnail) <= self._budget_bytes():
                self._made[key] = thumbnail
                self._spent += len(thumbnail)
            self._pending -= 1
            ready = self._pending == 0
            if ready:
                self._none_pending.set()
        self._on_made(ready)

    @property
    def pending(self) -> bool:
        """Some asked thumbnail is still being made."""
        with self._lock:
            return self._pending > 0

    def wait(self, timeout: float) -> None:
        """Wait until none is being made, or `timeout` seconds."""
        self._none_pending.wait(timeout)

    def made(self) -> dict[str, bytes]:
        with self._lock:
            return dict(self._made)


def data_urls(thumbnails: Mapping[str, bytes]) -> dict[str, str]:
    """The thumbnails as `data:` URLs, for HTML that must show them without any host."""
    return {key: JPEG_DATA_URL + base64.b64encode(jpeg).decode() for key, jpeg in thumbnails.items()}
