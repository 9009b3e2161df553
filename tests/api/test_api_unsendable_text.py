"""Text no request can carry (half a surrogate pair, as a broken paste leaves) is refused up front.

Each call raises InvalidArgumentError naming the field, and sends nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from api_helpers import BASE, KEY, Script, answer, job_json, mock_async_client, mock_client

from productai_notebook.api import InvalidArgumentError, ProductAI

LONE = "\ud800"
URL = "https://example.com/shoe.jpg"
GENERATE: dict[str, Any] = {"model": "nanobanana2", "image_url": URL, "prompt": "on marble"}

CALLS: list[tuple[str, Callable[[ProductAI], object]]] = [
    ("prompt", lambda c: c.generate(**{**GENERATE, "prompt": f"on marble {LONE}"})),
    ("image_url", lambda c: c.generate(**{**GENERATE, "image_url": f"{URL}?v={LONE}"})),
    ("preset_id", lambda c: c.generate(**{**GENERATE, "prompt": None, "preset_id": LONE})),
    ("asset_id", lambda c: c.generate(**{**GENERATE, "image_url": None, "asset_id": f"asset_{LONE}"})),
    ("webhook_url", lambda c: c.generate(**GENERATE, webhook_url=f"https://hooks.example/{LONE}")),
    ("job_id", lambda c: c.jobs.get(f"job_{LONE}")),
    ("job_id", lambda c: c.jobs.fetch_state(LONE)),
    ("name", lambda c: c.assets.upload(URL, name=f"shoe {LONE}")),
    ("tags", lambda c: c.assets.upload(URL, tags=["ok", LONE])),
    ("tags", lambda c: c.assets.upload(b"\x89PNG\r\n\x1a\n" + b"0" * 32, tags=[LONE])),
    ("url", lambda c: c.assets.upload(f"{URL}/{LONE}")),
]


@pytest.mark.parametrize(("field", "call"), CALLS, ids=[f"{f}-{i}" for i, (f, _) in enumerate(CALLS)])
def test_unsendable_text_is_refused_naming_the_field_before_any_request(
    field: str, call: Callable[[ProductAI], object]
) -> None:
    script = Script(answer(200, job_json()))
    with mock_client(script) as client, pytest.raises(InvalidArgumentError) as caught:
        call(client)
    assert caught.value.field == field and "surrogate" in str(caught.value)
    assert script.requests == []


def test_an_uploaded_file_whose_name_cannot_be_sent_is_refused(tmp_path) -> None:
    # a file name that was not valid UTF-8 on disk reaches Python with a surrogate in it
    path = tmp_path / "shoe\udcff.png"
    try:
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 32)
    except (UnicodeEncodeError, OSError):
        pytest.skip("this file system refuses such a name")
    script = Script(answer(200, {"asset_id": "asset_1"}))
    with mock_client(script) as client, pytest.raises(InvalidArgumentError) as caught:
        client.assets.upload(path)
    assert caught.value.field == "file" and script.requests == []


async def test_the_async_client_refuses_it_too() -> None:
    script = Script(answer(200, job_json()))
    async with mock_async_client(script) as client:
        with pytest.raises(InvalidArgumentError, match="prompt"):
            await client.generate(**{**GENERATE, "prompt": LONE})
    assert script.requests == []


@pytest.mark.parametrize("key", [f"{KEY}\u00e9", f"{KEY}\n", f" {KEY}", f"{KEY}{LONE}"])
def test_a_key_that_cannot_go_in_a_header_is_refused_without_showing_it(key: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        ProductAI(key, base_url=BASE)
    assert caught.value.field == "api_key" and KEY not in str(caught.value)


@pytest.mark.parametrize("url", [f"https://api{LONE}.example/v1", f"https://api.example/v1/{LONE}", "ftp://x/v1"])
def test_a_base_url_that_cannot_be_reached_is_refused(url: str) -> None:
    with pytest.raises(InvalidArgumentError) as caught:
        ProductAI(KEY, base_url=url)
    assert caught.value.field == "base_url"


def test_a_webhook_secret_that_cannot_be_encoded_is_refused_up_front() -> None:
    from productai_notebook.api.webhooks import WebhookReceiver

    with pytest.raises(InvalidArgumentError) as caught:
        WebhookReceiver(f"whsec_{LONE}", lambda event: None)
    assert caught.value.field == "secret"
