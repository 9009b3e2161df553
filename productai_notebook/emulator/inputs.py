"""Input images: checking uploads against the pixel budget, and shrinking the product to
composite into a generated image.

Only data URLs, uploaded assets and loopback URLs are ever read: the emulator fetches nothing
from outside the machine.
"""

from __future__ import annotations

import base64
import binascii
import io
import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

import httpx
from PIL import Image, ImageFile, JpegImagePlugin, PngImagePlugin, WebPImagePlugin

from ..contract import MAX_INPUT_PIXELS, MAX_UPLOAD_BYTES

LOOPBACK_FETCH_SECONDS = 5.0
BUDGET = f"at most {MAX_INPUT_PIXELS // 1_000_000} megapixels"
STRIP_ROWS = 128  # rows of the shrunk input made per step while shrinking a large one

# The input formats by their first bytes, each read by its own Pillow plugin: Image.open would
# warn on stderr about a large image before we could refuse it, and would take other formats too.
_READERS: tuple[tuple[str, Callable[[bytes], bool], type[ImageFile.ImageFile]], ...] = (
    ("png", lambda d: d.startswith(b"\x89PNG\r\n\x1a\n"), PngImagePlugin.PngImageFile),
    ("jpeg", lambda d: d.startswith(b"\xff\xd8\xff"), JpegImagePlugin.JpegImageFile),
    ("webp", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP", WebPImagePlugin.WebPImageFile),
)


class RefusedImage(ValueError):
    """Why an input image cannot be used, said to the client after the field's name."""


class OverBudget(RefusedImage):
    """An image larger than the pixel budget."""


@dataclass(frozen=True)
class CheckedImage:
    format: str  # "jpeg", "png" or "webp"
    width: int
    height: int


def _open(data: bytes) -> tuple[str, ImageFile.ImageFile]:
    """The format and the lazily decoded image (only its header read), within the pixel budget."""
    for fmt, matches, reader in _READERS:
        if matches(data):
            try:
                image = reader(io.BytesIO(data))
            except Exception:  # Pillow raises many types for a damaged header; all mean "not an image"
                break
            width, height = image.size
            if width * height > MAX_INPUT_PIXELS:
                raise OverBudget(
                    f"the image is {width}x{height} ({width * height / 1e6:.0f} megapixels); "
                    f"inputs may have {BUDGET}: scale it down"
                )
            return fmt, image
    raise RefusedImage("must be a JPEG, PNG or WebP image")


def check_image(data: bytes) -> CheckedImage:
    """The image's format and size; RefusedImage when it is not a usable JPEG, PNG or WebP image."""
    fmt, image = _open(data)
    try:
        image.verify()
    except Exception:  # a damaged body (bad CRC, truncated data): not an image we can use
        raise RefusedImage("must be a JPEG, PNG or WebP image (this one is damaged)") from None
    return CheckedImage(fmt, image.width, image.height)


def open_product(data: bytes | None, size: tuple[int, int]) -> Image.Image | None:
    """The input shrunk to fit `size`, to composite; None when it is not a usable image.

    Shrunk once, before any compositing, so the render works on a picture no larger than its
    output whatever the input's size. Decoding holds the input's pixels once (a JPEG decodes at
    1/2 to 1/8 scale already); nothing else ever copies them at full size.
    """
    if data is None:
        return None
    try:
        _, image = _open(data)
        scale = min(size[0] / image.width, size[1] / image.height, 1.0)
        target = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        image.draft(None, target)  # a JPEG decodes at reduced scale; other formats ignore this
        factors = (max(1, image.width // target[0]), max(1, image.height // target[1]))
        reduced = _reduce_in_strips(image, factors)
        return reduced if reduced.size == target else reduced.resize(target, Image.Resampling.LANCZOS)
    except Exception:  # over the budget, or damaged past its header: render without it
        return None


def _reduce_in_strips(image: ImageFile.ImageFile, factors: tuple[int, int]) -> Image.Image:
    """`image` as RGBA, reduced by whole `factors` (across, down), a band of rows at a time: converted
    whole, a 25-megapixel input would take another 100 MB (and Pillow reduces RGBA through such a copy)."""
    image.load()
    if factors == (1, 1):
        return image.convert("RGBA")
    (width, height), (across, down) = image.size, factors
    out = Image.new("RGBA", (-(-width // across), -(-height // down)))
    band = down * STRIP_ROWS
    for top in range(0, height, band):
        strip = image.crop((0, top, width, min(top + band, height))).convert("RGBA")
        out.paste(strip.reduce(factors), (0, top // down))
    return out


def decode_data_url(url: str) -> bytes | None:
    """The bytes of a `data:image/...` URL, or None if it is malformed."""
    header, sep, payload = url.partition(",")
    if not sep:
        return None
    try:
        if header.endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError):
        return None


def is_loopback(url: str) -> bool:
    return is_loopback_host(urlsplit(url).hostname or "")


def is_loopback_host(host: str) -> bool:
    """True for "localhost" and loopback addresses, IPv4 or IPv6 ("::1", "::ffff:127.0.0.1")."""
    if host.lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a name other than localhost may resolve anywhere
    mapped = getattr(address, "ipv4_mapped", None)  # Python < 3.13 calls a mapped 127.0.0.1 not loopback
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


class UnreadableURL(Exception):
    """Why a loopback URL gave no body: said to the client ("answered HTTP 404 Not Found")."""


def read_loopback(url: str) -> bytes:
    """GET a loopback URL, at most 10 MB; UnreadableURL says why there is no body."""
    try:
        with httpx.stream("GET", url, timeout=LOOPBACK_FETCH_SECONDS, trust_env=False) as response:
            if response.status_code != 200:
                raise UnreadableURL(f"answered HTTP {response.status_code} {response.reason_phrase}".rstrip())
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_UPLOAD_BYTES:
                    raise UnreadableURL("answered more than 10 MB")
            return bytes(data)
    except (httpx.HTTPError, httpx.InvalidURL):
        raise UnreadableURL(f"did not answer within {LOOPBACK_FETCH_SECONDS:g} s") from None


def fetch_loopback(url: str) -> bytes | None:
    """GET a loopback URL, at most 10 MB, or None when it cannot be had quickly."""
    try:
        return read_loopback(url)
    except UnreadableURL:
        return None


def unusable_loopback_input(url: str) -> bool:
    """True when a loopback `image_url` answers an HTTP error, nothing, or not an image: the job it
    is given to fails, as the API's does ("Unable to process the input image"). OverBudget when it is
    larger than the pixel budget. Only loopback URLs are read (other URLs keep the placeholder)."""
    try:
        check_image(read_loopback(url))
    except OverBudget:
        raise
    except (UnreadableURL, RefusedImage):
        return True
    return False
