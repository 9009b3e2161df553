"""Uploaded products: stored, listed per account, and composited into the generated photos."""

from __future__ import annotations

import base64
import io

import httpx
from PIL import Image

from .helpers import api, create_job, magenta_share, wait_for_status

MAGENTA = (255, 0, 255)


def png(colour=MAGENTA, size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_an_uploaded_file_becomes_a_ready_asset(emu, new_account):
    with api(emu, new_account()) as http:
        response = http.post(
            "training-asset",
            files={"file": ("mug.png", png(), "image/png")},
            data={"name": "Mug", "tags[]": ["kitchen", "white"]},
        )
        listed = http.get("my-uploaded-assets").json()
    assert response.status_code == 201
    asset = response.json()
    assert set(asset) == {
        "asset_id",
        "name",
        "status",
        "url",
        "thumbnail_url",
        "width",
        "height",
        "file_size",
        "format",
        "tags",
        "created_at",
    }
    assert (asset["name"], asset["status"], asset["format"]) == ("Mug", "ready", "png")
    assert (asset["width"], asset["height"], asset["file_size"]) == (300, 200, len(png()))
    assert asset["tags"] == ["kitchen", "white"]
    assert httpx.get(asset["url"]).content == png()
    assert Image.open(io.BytesIO(httpx.get(asset["thumbnail_url"]).content)).format == "JPEG"
    assert [a["asset_id"] for a in listed["assets"]] == [asset["asset_id"]] and listed["total"] == 1


def test_a_data_url_can_be_uploaded_as_json(emu, new_account):
    url = "data:image/png;base64," + base64.b64encode(png()).decode()
    with api(emu, new_account()) as http:
        response = http.post("training-asset", json={"url": url, "name": "from json", "tags": ["a"]})
    assert response.status_code == 201 and response.json()["name"] == "from json"


def test_an_asset_is_composited_into_the_generated_images(emu, new_account):
    with api(emu, new_account()) as http:
        asset_id = http.post("training-asset", files={"file": ("p.png", png(), "image/png")}).json()[
            "asset_id"
        ]
        job = wait_for_status(
            http, create_job(http, image_url=None, asset_id=asset_id)["job_id"], ("completed",)
        )
    assert magenta_share(httpx.get(job["images"][0]["url"]).content) > 0.05


def test_a_data_url_input_is_composited_and_an_outside_url_is_never_fetched(emu):
    data_url = "data:image/png;base64," + base64.b64encode(png()).decode()
    with api(emu) as http:
        with_data = wait_for_status(http, create_job(http, image_url=data_url)["job_id"], ("completed",))
        outside = wait_for_status(
            http, create_job(http, image_url="https://example.com/p.png")["job_id"], ("completed",)
        )
    assert magenta_share(httpx.get(with_data["images"][0]["url"]).content) > 0.05
    assert magenta_share(httpx.get(outside["images"][0]["url"]).content) == 0


def test_a_loopback_url_input_is_composited(emu):
    with api(emu) as http:
        asset_url = http.post("training-asset", files={"file": ("p.png", png(), "image/png")}).json()["url"]
        job = wait_for_status(http, create_job(http, image_url=asset_url)["job_id"], ("completed",))
    assert magenta_share(httpx.get(job["images"][0]["url"]).content) > 0.05


def test_an_asset_belongs_to_its_account(emu, new_account):
    with api(emu, new_account()) as alice, api(emu, new_account()) as bob:
        asset_id = alice.post("training-asset", files={"file": ("p.png", png(), "image/png")}).json()[
            "asset_id"
        ]
        response = bob.post("generate", json={"model": "seedream", "prompt": "x", "asset_id": asset_id})
        assert response.status_code == 400 and response.json()["error"]["message"].startswith("asset_id")
        assert bob.get("my-uploaded-assets").json()["total"] == 0


def test_a_file_that_is_not_an_input_image_is_refused(emu):
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    with api(emu) as http:
        response = http.post("training-asset", files={"file": ("a.gif", gif.getvalue(), "image/gif")})
    assert response.status_code == 400 and response.json()["error"]["message"].startswith("file")
