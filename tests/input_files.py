"""Input images a user might drop on the studio: a good one, and one bad file of each kind the API refuses."""

from __future__ import annotations

import io

from PIL import Image

from productai_notebook.contract import MAX_UPLOAD_BYTES


def png(size: tuple[int, int] = (64, 48), color: str = "teal") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, "JPEG")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (16, 16)).save(buffer, "GIF")
    return buffer.getvalue()


def too_large() -> bytes:
    """12 MB that start like a PNG: refused by its size before anything reads it."""
    return png()[:64] + bytes(12 * 1024 * 1024 - 64)


def truncated_png() -> bytes:
    """A real photo-like PNG cut in half: its header reads, its pixels do not."""
    buffer = io.BytesIO()
    Image.effect_noise((256, 256), 64).convert("RGB").save(buffer, "PNG")
    whole = buffer.getvalue()
    return whole[: len(whole) // 2]


def bomb() -> bytes:
    """A PNG of a few KB that decodes to 36 megapixels (over the 25-megapixel budget)."""
    buffer = io.BytesIO()
    Image.new("1", (6000, 6000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


#: name -> (bytes, words the inline error must say)
BAD_FILES = {
    "anim.gif": (gif, "GIF"),
    "huge.png": (too_large, "10.0 MB"),
    "cut.png": (truncated_png, "truncated"),
    "bomb.png": (bomb, "decompression bomb"),
}

assert len(too_large()) > MAX_UPLOAD_BYTES
