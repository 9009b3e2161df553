"""A server that echoes the key (or any Bearer token) in every text it sends: none of it reaches the user.

Not in an exception's text, attributes or repr, not in a job's fields, not in the logs at DEBUG,
not in a widget's state or its static HTML, not in the magic's output.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from api_helpers import BASE, KEY, Script, answer, mock_client

from productai_notebook.api import (
    APIStatusError,
    InvalidResponseError,
    JobFailedError,
    ProductAI,
    ProductAIError,
    _http,
)
from productai_notebook.api.webhooks import parse_event, sign

# another secret a proxy or a server log might echo along with ours
TOKEN = "sk_live_OTHER_TOKEN_9f86d081884c7d659a2f"
ECHO = f"you sent Authorization: Bearer {KEY} (also seen: bearer {TOKEN}); key {KEY}"


def echoing_job(status: str = "failed", **more: Any) -> dict[str, Any]:
    """A job whose every text field, extra fields and field names included, holds the secrets."""
    return {
        "job_id": "job_echo",
        "status": status,
        "model": f"nanobanana2 {KEY}",
        "num_images": 1,
        "created_at": "2024-01-15T10:30:00Z",
        "failed_at": "2024-01-15T10:30:09Z",
        "error": {"code": f"generation_failed:{KEY}", "message": ECHO, "detail": [ECHO, {"deep": ECHO}]},
        "images": [{"url": f"https://cdn.example/{KEY}/0.jpg", "width": 1, "height": 1, "note": ECHO}],
        "debug": {"request": {"headers": [f"Authorization: Bearer {TOKEN}"]}, KEY: ECHO},
        **more,
    }


def echoing_server(request: httpx.Request) -> httpx.Response:
    path = request.url.path.removeprefix("/v1/")
    if path == "generate":
        return answer(200, echoing_job(status="pending", error=None, images=[], failed_at=None))
    if path == "jobs/job_echo":
        return answer(200, echoing_job())
    if path == "jobs":
        return answer(200, {"jobs": [echoing_job()], "total": 1, "limit": 20, "offset": 0, "has_more": False})
    if path == "me":
        return answer(200, {"id": "user_1", "email": f"{KEY}@example.com", "plan": ECHO, "credits": {}})
    if path == "my-uploaded-assets":
        return answer(200, [{"asset_id": "asset_1", "name": ECHO, "tags": [ECHO]}])
    status = int(path.rsplit("/", 1)[-1].removeprefix("status_"))
    body = {"error": {"code": f"code_{KEY}", "message": ECHO}, "echo": {"headers": dict(request.headers)}}
    reason = {"reason_phrase": ECHO.encode()}
    return httpx.Response(status, content=json.dumps(body).encode(), extensions=reason)


def assert_clean(*texts: object) -> None:
    for text in texts:
        text = str(text)
        assert KEY not in text and TOKEN not in text, text
        # the echoed header itself stays readable: only the token is gone
        assert not re.search(r"(?i)bearer\s+(?!\[redacted\])", text), text


@pytest.fixture
def client(caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.001)
    caplog.set_level(logging.DEBUG)
    with mock_client(Script(echoing_server)) as c:
        yield c


def error_texts(error: BaseException) -> list[object]:
    return [str(error), repr(error), *vars(error).values(), *error.args]


def test_a_failed_job_that_echoes_the_key_shows_it_nowhere(client: ProductAI, caplog) -> None:
    job = client.generate(model="nanobanana2", image_url="https://example.com/shoe.jpg", prompt="on marble")
    with pytest.raises(JobFailedError) as caught:
        job.wait(timeout=5, poll_interval=0.01)
    error = caught.value
    assert "Bearer [redacted]" in error.message and error.code == "generation_failed:[redacted]"
    listed = client.jobs.list().jobs[0]
    assert_clean(
        *error_texts(error), repr(job), job.to_dict(), job.state, job.extra, job.images,
        job._repr_mimebundle_(), listed.to_dict(), client.me(), client.assets.list(), caplog.text,
    )


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 429, 500, 502])
def test_an_error_answer_that_echoes_the_key_shows_it_nowhere(client: ProductAI, caplog, status: int) -> None:
    with pytest.raises(APIStatusError) as caught:
        client.jobs.get(f"status_{status}")
    error = caught.value
    assert error.status_code == status and "[redacted]" in error.message
    assert_clean(*error_texts(error), json.dumps(error.body), caplog.text)


def test_a_body_that_is_not_json_does_not_echo_its_content_type() -> None:
    script = Script(answer(200, b"<html>", {"content-type": f"text/html; key={KEY}"}))
    with mock_client(script) as client, pytest.raises(InvalidResponseError) as caught:
        client.me()
    assert_clean(*error_texts(caught.value))
    assert "text/html" in str(caught.value)


def test_a_network_error_that_quotes_the_request_shows_no_token() -> None:
    script = Script(httpx.ReadError(f"connection reset while sending 'Authorization: Bearer {TOKEN}'"))
    with mock_client(script, max_retries=0) as client, pytest.raises(ProductAIError) as caught:
        client.me()
    assert_clean(*error_texts(caught.value))


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "BEARer", "bEaReR"])
def test_a_bearer_token_is_hidden_however_the_server_spells_bearer(scheme: str) -> None:
    echo = f"Authorization: {scheme} {TOKEN}"
    script = Script(answer(400, {"error": {"code": "bad_header", "message": echo}}))
    with mock_client(script, max_retries=0) as client, pytest.raises(ProductAIError) as caught:
        client.me()
    assert_clean(*error_texts(caught.value))
    assert f"{scheme} [redacted]" in str(caught.value)


def test_the_http_libraries_debug_logs_show_no_key(caplog: pytest.LogCaptureFixture) -> None:
    """httpx and httpcore log an answer's status line and headers: a loopback server echoes the key there."""

    class Echo(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            sent = self.headers.get("Authorization", "")
            self.send_response(500, f"echo {sent}")
            self.send_header("X-Echo", sent)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    caplog.set_level(logging.DEBUG)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/v1"
        with ProductAI(KEY, base_url=base, max_retries=0) as client, pytest.raises(APIStatusError) as caught:
            client.me()
    finally:
        server.shutdown()
        server.server_close()
    assert "receive_response_headers" in caplog.text and "x-echo" in caplog.text.lower()
    assert_clean(caplog.text, *error_texts(caught.value))


def test_a_webhook_that_quotes_the_secret_carries_it_no_further() -> None:
    secret = KEY  # the API key signs deliveries when no webhook secret is set
    body = json.dumps({"event": "job.failed", **echoing_job()}).encode()
    event = parse_event(body, sign(body, secret), secret)
    assert "[redacted]" in event.state().error.message  # type: ignore[union-attr]
    assert_clean(event.payload, event.state())


def test_a_toy_key_does_not_mangle_the_ids_and_urls_that_happen_to_hold_it() -> None:
    script = Script(answer(200, echoing_job(job_id="job_abc", images=[{"url": "https://cdn.example/abc.jpg"}])))
    http = httpx.Client(transport=httpx.MockTransport(script))
    with ProductAI("abc", base_url=BASE, http_client=http) as client:
        job = client.jobs.get("job_abc")
    assert job.id == "job_abc" and job.images[0].url == "https://cdn.example/abc.jpg"
