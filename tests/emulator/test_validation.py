"""Whatever a client sends, it gets a clear 400 naming the field, never a 500."""

from __future__ import annotations

import pytest

from .helpers import api

VALID = {"model": "nanobanana2", "prompt": "a lamp", "image_url": "https://example.com/lamp.png"}


def without(*fields):
    return {k: v for k, v in VALID.items() if k not in fields}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (without("model"), "model"),
        ({**VALID, "model": "dall-e"}, "model"),
        ({**VALID, "model": 5}, "model"),
        (without("image_url"), "image_url"),
        ({**VALID, "asset_id": "asset_x"}, "image_url"),
        ({**VALID, "image_url": "ftp://example.com/a.png"}, "image_url"),
        ({**VALID, "image_url": "file:///etc/passwd"}, "image_url"),
        ({**VALID, "image_url": 12}, "image_url"),
        ({**without("image_url"), "asset_id": "asset_unknown"}, "asset_id"),
        (without("prompt"), "prompt"),
        ({**VALID, "prompt": "   "}, "prompt"),
        ({**VALID, "num_images": 0}, "num_images"),
        ({**VALID, "num_images": 5}, "num_images"),
        ({**VALID, "num_images": "2"}, "num_images"),
        ({**VALID, "num_images": True}, "num_images"),
        ({**VALID, "num_images": 1.5}, "num_images"),
        ({**VALID, "aspect_ratio": "2:1"}, "aspect_ratio"),
        ({**VALID, "webhook_url": "javascript:alert(1)"}, "webhook_url"),
    ],
)
def test_each_broken_constraint_is_a_400_naming_the_field(emu, body, field):
    with api(emu) as http:
        response = http.post("generate", json=body)
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(field)


def test_unknown_fields_are_ignored_and_a_preset_replaces_the_prompt(emu):
    with api(emu) as http:
        response = http.post(
            "generate", json={**without("prompt"), "preset_id": "studio", "future_option": [1]}
        )
    assert response.status_code == 202


@pytest.mark.parametrize("content", [b"", b"{", b"[]", b"null", b"\xff\xfe", b'{"model": NaN}', b"x" * 5000])
def test_a_body_that_is_not_a_json_object_is_a_400(emu, content):
    with api(emu) as http:
        response = http.post("generate", content=content, headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("body")


def test_a_body_over_10_mb_is_refused(emu):
    with api(emu) as http:
        response = http.post(
            "generate", content=b" " * (11 * 1024 * 1024), headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 400
    assert "10 MB" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("GET", "jobs/%2E%2E%2Fme", {}),
        ("GET", "jobs/job_%00", {}),
        ("GET", "jobs/" + "j" * 5000, {}),
        ("GET", "jobs/%F0%9F%92%A5", {}),
        ("DELETE", "jobs/job_x", {}),
        ("PUT", "generate", {}),
        ("GET", "nothing-here", {}),
        (
            "POST",
            "training-asset",
            {"content": b"--x\r\nbroken", "headers": {"Content-Type": "multipart/form-data; boundary=x"}},
        ),
        ("POST", "training-asset", {"files": {"file": ("a.png", b"not an image", "image/png")}}),
        ("POST", "training-asset", {"json": {"url": "https://example.com/a.png"}}),
        ("POST", "training-asset", {"json": {"url": "data:image/png;base64,@@@"}}),
        ("POST", "training-asset", {"json": ["url"]}),
        ("GET", "my-uploaded-assets", {"params": {"limit": "x"}}),
    ],
)
def test_malformed_requests_never_become_server_errors(emu, method, path, kwargs):
    with api(emu) as http:
        response = http.request(method, path, **kwargs)
    assert 400 <= response.status_code < 500, response.text
    assert set(response.json()["error"]) == {"code", "message"}
