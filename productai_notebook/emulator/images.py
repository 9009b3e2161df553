"""Generated images that look like product photos: a studio backdrop, a soft shadow, the product.

Deterministic: the same job, prompt and image index always give the same picture; a different
index or prompt gives a different backdrop, light and product.
"""

from __future__ import annotations

import hashlib
import io
import random

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageOps

# Studio backdrops: (top, bottom) colours of the sweep.
BACKDROPS = (
    ((246, 241, 234), (214, 203, 190)),
    ((232, 240, 247), (176, 196, 214)),
    ((248, 236, 238), (214, 180, 186)),
    ((236, 244, 236), (178, 204, 180)),
    ((240, 240, 240), (168, 168, 172)),
    ((252, 244, 222), (226, 196, 140)),
    ((58, 62, 72), (22, 24, 30)),
)
PRODUCT_COLOURS = ((196, 72, 60), (44, 92, 150), (40, 120, 96), (214, 160, 48), (92, 60, 130), (30, 30, 34))
JPEG_QUALITY = 85


def render(job_id: str, index: int, prompt: str, size: tuple[int, int], product: Image.Image | None) -> bytes:
    """A JPEG of `size` for image `index` of a job; `product` is the input to composite, if any."""
    rng = random.Random(hashlib.sha256(f"{job_id}/{index}/{prompt}".encode()).digest())
    width, height = size
    top, bottom = rng.choice(BACKDROPS)
    canvas = ImageOps.colorize(Image.linear_gradient("L").resize(size), top, bottom).convert("RGB")
    floor_y = int(height * rng.uniform(0.74, 0.82))
    centre_x = int(width * rng.uniform(0.4, 0.6))
    item = _fit(product, width, height, rng) if product is not None else _drawn_product(width, height, rng)
    _shadow(canvas, centre_x, floor_y, item.width, rng)
    canvas.paste(item, (centre_x - item.width // 2, floor_y - item.height), item)
    out = io.BytesIO()
    canvas.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _fit(product: Image.Image, width: int, height: int, rng: random.Random) -> Image.Image:
    """The input product scaled to stand on the floor: cut out of a plain backdrop when it has one."""
    item = _cut_out(product.convert("RGBA"))
    # fit (up or down) into a box of about half the picture, so small inputs fill the frame too
    scale = rng.uniform(0.5, 0.62) * min(width / item.width, height / item.height)
    item = item.resize((max(1, int(item.width * scale)), max(1, int(item.height * scale))))
    if item.getchannel("A").getextrema()[0] == 255:  # nothing to cut out: soften the photo's corners
        mask = Image.new("L", item.size, 0)
        radius = max(2, min(item.size) // 12)
        ImageDraw.Draw(mask).rounded_rectangle((0, 0, *item.size), radius=radius, fill=255)
        item.putalpha(mask)
    return item


def _cut_out(item: Image.Image) -> Image.Image:
    """Pack shots usually sit on a plain backdrop: where all four corners agree on a colour, make
    that colour transparent and crop to what is left, so the product stands on our studio floor."""
    corners = {
        item.getpixel(xy)[:3]
        for xy in ((0, 0), (item.width - 1, 0), (0, item.height - 1), (item.width - 1, item.height - 1))
    }
    if len(corners) != 1:
        return item
    backdrop = Image.new("RGBA", item.size, (*corners.pop(), 255))
    distance = ImageChops.difference(item, backdrop).convert("L")
    keep = distance.point(lambda v: 255 if v > 24 else 0)
    box = keep.getbbox()
    if box is None:  # a blank picture: keep it whole rather than cut it to nothing
        return item
    item.putalpha(ImageChops.multiply(item.getchannel("A"), keep))
    return item.crop(box)


def _drawn_product(width: int, height: int, rng: random.Random) -> Image.Image:
    """A placeholder product: a bottle, a jar or a box, lit from one side, with a label."""
    unit = min(width, height)
    w = int(unit * rng.uniform(0.2, 0.3))
    h = int(unit * rng.uniform(0.42, 0.55))
    colour = rng.choice(PRODUCT_COLOURS)
    item = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    draw = ImageDraw.Draw(item)
    shape = rng.choice(("bottle", "jar", "box"))
    if shape == "bottle":
        neck = w // 3
        draw.rectangle((w // 2 - neck // 2, 0, w // 2 + neck // 2, h // 5), fill=(40, 40, 44, 255))
        draw.rounded_rectangle((0, h // 6, w - 1, h - 1), radius=w // 4, fill=(*colour, 255))
    elif shape == "jar":
        draw.rounded_rectangle(
            (w // 10, 0, w - w // 10 - 1, h // 8), radius=w // 20, fill=(220, 220, 224, 255)
        )
        draw.rounded_rectangle((0, h // 10, w - 1, h - 1), radius=w // 6, fill=(*colour, 255))
    else:
        draw.rectangle((0, 0, w - 1, h - 1), fill=(*colour, 255))
    # A label band and a highlight down one side make it read as a lit object.
    label_top = int(h * rng.uniform(0.45, 0.55))
    draw.rectangle((w // 12, label_top, w - w // 12, label_top + h // 5), fill=(250, 248, 242, 255))
    draw.rectangle(
        (w // 8, label_top + h // 14, w - w // 8, label_top + h // 14 + max(2, h // 60)), fill=(*colour, 255)
    )
    light = Image.linear_gradient("L").rotate(90 if rng.random() < 0.5 else -90).resize((w, h))
    shade = Image.new("RGBA", (w, h), (255, 255, 255, 0))
    shade.putalpha(ImageChops.multiply(light, item.getchannel("A")).point(lambda v: v * 70 // 255))
    return Image.alpha_composite(item, shade)


def _shadow(canvas: Image.Image, centre_x: int, floor_y: int, item_width: int, rng: random.Random) -> None:
    """A blurred contact shadow, drawn small and scaled up: blurring at full size is slow."""
    factor = 8
    small = Image.new("L", (canvas.width // factor, canvas.height // factor), 0)
    spread = item_width * rng.uniform(0.55, 0.75) / factor
    cx, cy = centre_x / factor, floor_y / factor
    ImageDraw.Draw(small).ellipse((cx - spread, cy - spread / 5, cx + spread, cy + spread / 5), fill=120)
    blurred = small.filter(ImageFilter.GaussianBlur(max(1, int(spread / 4))))
    mask = blurred.resize(canvas.size, Image.Resampling.BILINEAR)
    canvas.paste((20, 20, 24), (0, 0), mask)


def jpeg(image: Image.Image) -> bytes:
    """`image` as a JPEG (an asset's thumbnail)."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()
