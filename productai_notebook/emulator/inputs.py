"""Input images: checking uploads, and finding the product to composite into a generated image.

Only data URLs, uploaded assets and loopback URLs are ever read: the emulator fetches nothing
from outside the machine.
"""

from __future__ import annotations

import base64
import binascii
import io
import ipaddress
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlsplit

import httpx
from PIL import Image, UnidentifiedImageError

from ..contract import INPUT_FORMATS, MAX_UPLOAD_BYTES

LOOPBACK_FETCH_SECONDS = 5.0


@dataclass(frozen=True)
class CheckedImage:
    format: str  # "jpeg", "png" or "webp"
    width: int
    height: int


def check_image(data: bytes) -> CheckedImage | None:
    """The image's format and size, or None when it is not a JPEG, PNG or WebP image."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = (image.format or "").lower()
            image.verify()
            width, height = image.size
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None
    return CheckedImage(fmt, width, height) if fmt in INPUT_FORMATS else None


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


def fetch_loopback(url: str) -> bytes | None:
    """GET a loopback URL, at most 10 MB, or None when it cannot be had quickly."""
    try:
        with httpx.stream("GET", url, timeout=LOOPBACK_FETCH_SECONDS, trust_env=False) as response:
            if response.status_code != 200:
                return None
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_UPLOAD_BYTES:
                    return None
            return bytes(data)
    except httpx.HTTPError:
        return None


def open_product(data: bytes | None) -> Image.Image | None:
    """The input as a Pillow image to composite, when it is a usable image."""
    if data is None or check_image(data) is None:
        return None
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
