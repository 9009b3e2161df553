"""The pictures the emulator renders: an uploaded pack shot is cut out of its plain backdrop."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw

from productai_notebook.emulator.images import render


def share(picture: bytes, colour: tuple[int, int, int]) -> float:
    image = Image.open(io.BytesIO(picture)).convert("RGB").resize((128, 128))
    raw = image.tobytes()
    pixels = (raw[i : i + 3] for i in range(0, len(raw), 3))
    near = [p for p in pixels if sum(abs(a - b) for a, b in zip(p, colour, strict=True)) < 60]
    return len(near) / (128 * 128)


def test_a_product_on_a_plain_backdrop_stands_in_the_studio_without_its_backdrop():
    shot = Image.new("RGB", (400, 400), (0, 200, 0))  # a green-screen pack shot
    ImageDraw.Draw(shot).rectangle((150, 60, 250, 340), fill=(230, 0, 230))
    picture = render("job_x", 0, "a prompt", (1024, 1024), shot)
    assert share(picture, (230, 0, 230)) > 0.05
    assert share(picture, (0, 200, 0)) < 0.002


def test_a_photo_without_a_plain_backdrop_is_kept_whole():
    photo = Image.new("RGB", (300, 400), (220, 30, 30))  # corners disagree: nothing to cut
    ImageDraw.Draw(photo).rectangle((150, 0, 300, 400), fill=(30, 30, 220))
    picture = render("job_x", 0, "a prompt", (1024, 1024), photo)
    assert share(picture, (220, 30, 30)) > 0.04 and share(picture, (30, 30, 220)) > 0.04
