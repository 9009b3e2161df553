"""`fetch_image`: one image's bytes for the notebook layer, never with the key, never past the cap."""

from __future__ import annotations

import httpx
import pytest
from api_helpers import KEY, Script, mock_client

from productai_notebook.api import APIConnectionError, ProductAIError, fetch_image

IMAGE = "https://cdn.example.test/a/1.jpg"


def test_the_image_host_gets_no_key_and_the_bytes_come_back() -> None:
    def host(request: httpx.Request) -> httpx.Response:
        assert "Authorization" not in request.headers and KEY not in str(request.headers)
        return httpx.Response(200, content=b"\xff\xd8jpeg", headers={"content-type": "image/jpeg"})

    with mock_client(Script(host)) as client:
        fetched = fetch_image(client, IMAGE)
    assert (fetched.content, fetched.content_type) == (b"\xff\xd8jpeg", "image/jpeg")


@pytest.mark.parametrize("declared", [True, False], ids=["content-length says", "streamed past the cap"])
def test_an_image_past_the_cap_is_refused(declared: bool) -> None:
    body = b"x" * 5000

    def host(request: httpx.Request) -> httpx.Response:
        if declared:
            return httpx.Response(200, content=body)
        return httpx.Response(200, stream=httpx.ByteStream(body), headers={"transfer-encoding": "chunked"})

    with mock_client(Script(host)) as client, pytest.raises(ProductAIError, match="larger than 1000 bytes"):
        fetch_image(client, IMAGE, max_bytes=1000)


def test_an_error_status_a_dead_host_and_a_non_web_url_say_so() -> None:
    with mock_client(Script(httpx.Response(404))) as client, pytest.raises(ProductAIError, match="HTTP 404"):
        fetch_image(client, IMAGE)
    with mock_client(Script(httpx.ConnectError("refused"))) as client, pytest.raises(APIConnectionError):
        fetch_image(client, IMAGE)
    with mock_client(Script()) as client, pytest.raises(ProductAIError, match="http"):
        fetch_image(client, "file:///etc/passwd")
