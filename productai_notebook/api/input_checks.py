"""Is this file an input image the API takes? Checked in the kernel, with Pillow, before any upload.

The browser can tell a file's type from its first bytes and its size at once; only a decoder can
tell a truncated or damaged image, or one whose pixels would not fit in memory (a "decompression
bomb": a few KB of PNG that decode to gigabytes). `check_input_image` does both, so a file that
fails here is never sent. The rules (formats, 10 MB, the pixel budget) come from `contract.py`,
the same ones the studio's form is given.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from ..contract import INPUT_FORMATS, MAX_INPUT_PIXELS, MAX_UPLOAD_BYTES
from .errors import InvalidArgumentError

# A format by its first bytes: (offset, bytes) pairs that must all match. The refused formats are
# here too, so the refusal names what the file is. The studio's front end is given this table.
SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "jpeg": ((0, b"\xff\xd8\xff"),),
    "png": ((0, b"\x89PNG\r\n\x1a\n"),),
    "webp": ((0, b"RIFF"), (8, b"WEBP")),
    "gif": ((0, b"GIF8"),),
    "bmp": ((0, b"BM"),),
    "tiff": ((0, b"II*\x00"),),
    "heic": ((4, b"ftypheic"),),
    "avif": ((4, b"ftypavif"),),
}
FORMAT_NAMES = {"jpeg": "JPEG", "png": "PNG", "webp": "WebP", "gif": "GIF", "bmp": "BMP", "tiff": "TIFF",
                "heic": "HEIC", "avif": "AVIF"}
*_FIRST, _LAST = (FORMAT_NAMES[name] for name in INPUT_FORMATS)
TAKEN = f"{', '.join(_FIRST)} or {_LAST}"  # "JPEG, PNG or WebP"


@dataclass(frozen=True)
class CheckedInput:
    """An input image the API takes: its format (as `contract.INPUT_FORMATS` names it) and size."""

    format: str
    width: int
    height: int
    size: int  # bytes


def sniff_format(data: bytes) -> str | None:
    """The format the first bytes say ("png", "gif", ...), or None when no known signature matches."""
    for name, parts in SIGNATURES.items():
        if all(data[offset:offset + len(part)] == part for offset, part in parts):
            return name
    return None


def megabytes(size: int) -> str:
    """A size as people read it on a file: "12.0 MB" (1 MB = 1024 * 1024 bytes, as the 10 MB limit)."""
    return f"{size / (1024 * 1024):.1f} MB"


def check_input_image(data: bytes) -> CheckedInput:
    """The image's format and size, or an InvalidArgumentError("file", why) when the API would refuse it.

    Refused: over 10 MB, not a JPEG, PNG or WebP by its content (a GIF, a renamed file), more
    pixels than the budget (checked from the header, before anything is decoded), and a body
    that does not decode whole (truncated or corrupt).
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise InvalidArgumentError(
            "file", f"is {megabytes(len(data))}: input images may be at most {megabytes(MAX_UPLOAD_BYTES)}"
        )
    kind = sniff_format(data)
    if kind not in INPUT_FORMATS:
        what = f"a {FORMAT_NAMES[kind]} image" if kind else "not an image the API reads"
        raise InvalidArgumentError("file", f"is {what}: the API takes {TAKEN}")
    from PIL import Image  # here, not at the top: a script that never checks a file never loads Pillow

    try:
        with Image.open(io.BytesIO(data), formats=[kind.upper()]) as image:
            width, height = image.size  # from the header: nothing decoded yet
            if width * height > MAX_INPUT_PIXELS:
                raise InvalidArgumentError(
                    "file",
                    f"is {width}x{height} pixels ({width * height / 1e6:.0f} megapixels) in "
                    f"{megabytes(len(data))}, a decompression bomb: inputs may have at most "
                    f"{MAX_INPUT_PIXELS // 1_000_000} megapixels",
                )
            image.load()  # decodes every pixel: a truncated or damaged body fails here
    except InvalidArgumentError:
        raise
    except Image.DecompressionBombError:  # Pillow's own guard, should its limit ever be lower
        raise InvalidArgumentError("file", "is a decompression bomb (far more pixels than bytes)") from None
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombWarning):
        # Pillow raises OSError for a truncated body, ValueError/SyntaxError for a broken header
        raise InvalidArgumentError(
            "file", f"is a damaged or truncated {FORMAT_NAMES[kind]}: it does not decode whole"
        ) from None
    return CheckedInput(kind, width, height, len(data))


def input_rules() -> dict[str, object]:
    """What a browser needs to refuse a file at once, as JSON: the formats taken, their first bytes
    (hex, by offset), their names, the size limit. The studio's form gets this, never a copy."""
    return {
        "input_formats": list(INPUT_FORMATS),
        "format_names": dict(FORMAT_NAMES),
        "signatures": {
            name: [[offset, part.hex()] for offset, part in parts] for name, parts in SIGNATURES.items()
        },
        "max_upload_bytes": MAX_UPLOAD_BYTES,
    }
