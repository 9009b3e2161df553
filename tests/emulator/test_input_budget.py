"""Decompression bombs: an input image over the pixel budget is refused with the budget in the
message; the largest accepted input still uploads, renders and is composited."""

from __future__ import annotations

import base64
import io

import httpx
import pytest
from PIL import Image, ImageDraw

from productai_notebook.emulator.inputs import MAX_INPUT_PIXELS, open_product

from .helpers import api, create_job, magenta_share, wait_for_status

# A warning anywhere (a Pillow size warning, a deprecation in the server's thread) fails the test.
pytestmark = pytest.mark.filterwarnings("error")

BUDGET = "at most 25 megapixels"


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """A PNG of about 20 KB that decodes to 12000x12000 (144 megapixels)."""
    out = io.BytesIO()
    Image.new("1", (12000, 12000)).save(out, "PNG")
    assert len(out.getvalue()) < 100_000
    return out.getvalue()


@pytest.fixture(scope="module")
def largest() -> bytes:
    """The largest accepted input: a magenta product on a plain green backdrop, 5000x5000 pixels."""
    assert 5000 * 5000 == MAX_INPUT_PIXELS
    image = Image.new("P", (5000, 5000))
    image.putpalette([0, 200, 0, 255, 0, 255])
    ImageDraw.Draw(image).rectangle((1500, 800, 3500, 4200), fill=1)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode()


def test_a_bomb_upload_is_refused_naming_the_budget(emu, new_account, bomb):
    with api(emu, new_account()) as http:
        as_file = http.post("training-asset", files={"file": ("bomb.png", bomb, "image/png")})
        as_url = http.post("training-asset", json={"url": data_url(bomb)})
        listed = http.get("my-uploaded-assets").json()
    assert as_file.status_code == 400 and as_url.status_code == 400
    message = as_file.json()["error"]["message"]
    assert message.startswith("file") and "12000x12000" in message and BUDGET in message
    assert as_url.json()["error"]["message"].startswith("url") and BUDGET in as_url.json()["error"]["message"]
    assert listed["total"] == 0


def test_a_bomb_given_as_a_data_url_input_is_refused_before_a_job_is_made(emu, new_account, bomb):
    with api(emu, new_account(credits=100)) as http:
        response = http.post(
            "generate", json={"model": "seedream", "prompt": "a box", "image_url": data_url(bomb)}
        )
        me = http.get("me").json()
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message.startswith("image_url") and BUDGET in message
    assert me["credits"]["generations"] == 100  # nothing charged


def test_the_largest_accepted_input_uploads_renders_and_is_composited(emu, new_account, largest):
    with api(emu, new_account()) as http:
        asset = http.post("training-asset", files={"file": ("big.png", largest, "image/png")})
        assert asset.status_code == 201, asset.text
        assert (asset.json()["width"], asset.json()["height"]) == (5000, 5000)
        job = create_job(http, image_url=None, asset_id=asset.json()["asset_id"], num_images=2)
        done = wait_for_status(http, job["job_id"], ("completed",))
    pictures = [httpx.get(image["url"]) for image in done["images"]]
    assert all(p.status_code == 200 for p in pictures)
    assert all(Image.open(io.BytesIO(p.content)).size == (1024, 1024) for p in pictures)
    assert all(magenta_share(p.content) > 0.05 for p in pictures)
    thumbnail = Image.open(io.BytesIO(httpx.get(asset.json()["thumbnail_url"]).content))
    assert max(thumbnail.size) == 256


def test_an_input_is_shrunk_to_the_output_size_before_compositing(largest, bomb):
    product = open_product(largest, (1024, 768))
    assert product is not None and product.size == (768, 768)
    for size, shrunk in (((1, 2_000_000), (1, 768)), ((2_000_000, 3), (1024, 1))):  # a thread of pixels
        out = io.BytesIO()
        Image.new("RGB", size, (250, 0, 250)).save(out, "PNG")
        product = open_product(out.getvalue(), (1024, 768))
        assert product is not None and product.size == shrunk
        assert product.getpixel((0, 0)) == (250, 0, 250, 255)
    assert open_product(bomb, (1024, 1024)) is None  # a stored bomb renders without the product
