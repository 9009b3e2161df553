"""Hostile requests, class by class: each is a 4xx in the API's error shape naming what is wrong,
the same keep-alive connection then answers a good request, and nothing reaches stderr or the logs."""

from __future__ import annotations

import io
import json
import logging
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PIL import Image

from productai_notebook.emulator import Emulator

# A warning anywhere (a Pillow size warning, a deprecation in the server's thread) fails the test.
pytestmark = pytest.mark.filterwarnings("error")

VALID = {"model": "nanobanana2", "prompt": "a lamp", "image_url": "https://example.com/lamp.png"}
TEXT_FIELDS = ("model", "prompt", "preset_id", "image_url", "asset_id", "aspect_ratio", "webhook_url")
NOT_TEXT = ([], {}, ["1:1"], {"a": "b"}, 7, 1.5, True, False)
NOT_STORABLE = ("\ud800", "a\udfffb", "a\x00b")  # lone surrogates, NUL


@pytest.fixture(autouse=True)
def quiet(capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """Nothing written on stderr, no warning logged (uvicorn's and starlette's loggers included)."""
    caplog.set_level(logging.DEBUG)
    yield
    records = caplog.get_records("call")  # caplog.records would be this teardown's only
    loud = [f"{r.name}: {r.getMessage()}" for r in records if r.levelno >= logging.WARNING]
    assert loud == []
    assert capfd.readouterr().err == ""


@pytest.fixture
def http(emu: Emulator) -> Iterator[httpx.Client]:
    """One keep-alive connection to the emulator's /v1."""
    with httpx.Client(
        base_url=emu.base_url + "/",
        headers={"Authorization": f"Bearer {emu.api_key}"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=30.0,
    ) as client:
        yield client


def local_port(response: httpx.Response) -> int:
    """The client's port of the connection that carried `response`."""
    port: int = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    return port


def refused(http: httpx.Client, response: httpx.Response, field: str, status: int = 400) -> str:
    """Assert `response` is the error shape naming `field`, and that its connection stays usable."""
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) == {"code", "message"} and isinstance(error["message"], str)
    assert error["message"].startswith(field), error["message"]
    port = local_port(response)
    after = http.get("me")
    assert after.status_code == 200 and local_port(after) == port
    message: str = error["message"]
    return message


def with_field(field: str, value: Any) -> dict[str, Any]:
    """A valid generate body but for `field` (an asset_id replaces the image_url: one of them only)."""
    body = {**VALID, field: value}
    if field == "asset_id":
        del body["image_url"]
    return body


def tiny_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def post_json(http: httpx.Client, path: str, body: Any) -> httpx.Response:
    # ensure_ascii keeps lone surrogates as \ud800 escapes: valid JSON text, invalid Unicode
    return http.post(path, content=json.dumps(body), headers={"Content-Type": "application/json"})


@pytest.mark.parametrize(
    "content",
    [
        b"[" * 100_000,
        b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        json.dumps({**VALID, "extra": json.loads("[" * 40 + "]" * 40)}).encode(),
    ],
    ids=["list-100000", "object-50000", "extra-field-40"],
)
def test_deeply_nested_json_is_refused(http, content):
    response = http.post("generate", content=content, headers={"Content-Type": "application/json"})
    assert "nested deeper than" in refused(http, response, "body")


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("value", NOT_TEXT, ids=repr)
def test_a_list_object_number_or_boolean_where_text_is_expected_is_refused(http, field, value):
    refused(http, post_json(http, "generate", with_field(field, value)), field)


@pytest.mark.parametrize("value", ["2", [2], {"n": 2}, True, 2.0, 1e300, None], ids=repr)
def test_text_or_a_boolean_where_a_number_is_expected_is_refused(http, value):
    body = json.dumps({**VALID, "num_images": value}).replace("1e+300", "1e400")  # inf, in JSON
    response = http.post("generate", content=body, headers={"Content-Type": "application/json"})
    refused(http, response, "num_images")


@pytest.mark.parametrize("field", TEXT_FIELDS)
@pytest.mark.parametrize("value", NOT_STORABLE, ids=repr)
def test_a_lone_surrogate_or_nul_in_any_text_field_is_refused(http, field, value):
    refused(http, post_json(http, "generate", with_field(field, value)), field)


@pytest.mark.parametrize("value", NOT_STORABLE, ids=repr)
def test_a_lone_surrogate_or_nul_anywhere_in_the_body_is_refused(http, value):
    refused(http, post_json(http, "generate", {**VALID, value: 1}), "body")  # as a key
    refused(http, post_json(http, "generate", {**VALID, "extra": {"deep": [value]}}), "extra")
    message = refused(http, post_json(http, "generate", {**VALID, "x" * 100_000: value}), "x" * 64)
    assert len(message) < 200  # the field's name is cut, not echoed whole
    for field, asset in (("url", "data:image/png;base64," + value), ("name", value), ("tags", ["a", value])):
        refused(http, post_json(http, "training-asset", {"url": "data:image/png,x", field: asset}), field)


@pytest.mark.parametrize("field", ["image_url", "webhook_url"])
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:99999/a",
        "http://example..com/a",
        "https://xn--/a",
        f"http://{'a' * 64}.com/a",
        "http://[::1/a",
    ],
)
def test_a_url_that_cannot_be_fetched_is_refused_when_the_job_is_made(http, field, url):
    refused(http, post_json(http, "generate", with_field(field, url)), field)


@pytest.mark.parametrize(
    "query",
    [
        "limit=x",
        "limit=",
        "limit=1e3",
        "limit=1_0",
        "limit=%207",
        "limit=%D9%A1%D9%A2",  # Arabic-Indic digits, which int() takes
        "limit=0",
        "limit=101",
        "limit=-1",
        "limit=" + "9" * 5000,
        "offset=-1",
        "offset=99999999999999999999",
        "offset=%00",
        "limit=5&limit=x",
    ],
)
@pytest.mark.parametrize("path", ["jobs", "my-uploaded-assets"])
def test_a_bad_page_query_is_refused(http, path, query):
    refused(http, http.get(f"{path}?{query}"), query.rsplit("&", 1)[-1].partition("=")[0])


@pytest.mark.parametrize("query", ["status=done", "status=", "status=%00", "status=%ED%A0%80", "status=ALL"])
def test_a_bad_status_filter_is_refused(http, query):
    refused(http, http.get(f"jobs?{query}"), "status")


@pytest.mark.parametrize(
    "authorization",
    [
        b"",
        b"Bearer",
        b"Basic cGs6",
        b"Bearer pk_test_emulator_suite extra",
        b"Bearer \xc3\xa9\xff",  # not ASCII
        b"Bearer " + b"k" * 60_000,
        b"Bearer\tpk_test_emulator_suite",
    ],
    ids=lambda v: repr(v[:24]),
)
def test_a_bad_authorization_header_is_a_401(http, authorization):
    response = http.get("me", headers={"Authorization": authorization})
    refused(http, response, "Missing or invalid API key", status=401)


def test_the_scheme_is_case_insensitive_and_spaces_before_the_key_do_not_matter(http, emu):
    response = http.get("me", headers={"Authorization": f"bearer   {emu.api_key}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "headers",
    [
        {"Connection": "Upgrade", "Upgrade": "websocket"},
        {
            "Connection": "Upgrade",
            "Upgrade": "websocket",
            "Sec-WebSocket-Key": "x",
            "Sec-WebSocket-Version": "13",
        },
        {"Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c", "HTTP2-Settings": "AAMAAABkAAQAAP__"},
        {"Expect": "100-continue"},
        {"Host": ""},
        {"Content-Encoding": "gzip"},
    ],
    ids=["websocket", "websocket-handshake", "h2c", "expect", "empty-host", "content-encoding"],
)
def test_odd_protocol_headers_are_ignored_and_the_api_answers(http, headers):
    response = http.get("me", headers=headers)
    assert response.status_code == 200 and response.json()["plan"]
    after = http.get("me")
    assert after.status_code == 200 and local_port(after) == local_port(response)


@pytest.mark.parametrize(
    ("content", "content_type", "field"),
    [
        (b"--x\r\nbroken", "multipart/form-data; boundary=x", "file"),  # read as an empty form
        (b"anything", "multipart/form-data", "body"),  # no boundary
        (b"", "multipart/form-data; boundary=x", "file"),
        (None, None, "file"),  # a file field sent as plain text
        (None, "two files", "body"),
        (None, "not an image", "file"),
        (None, "a NUL name", "name"),
    ],
)
def test_a_bad_multipart_upload_is_refused(http, content, content_type, field):
    if content is not None:
        response = http.post("training-asset", content=content, headers={"Content-Type": content_type})
    elif content_type is None:
        response = http.post("training-asset", data={"file": "not a file"}, files={"other": ("a", b"a")})
    elif content_type == "two files":
        response = http.post("training-asset", files=[("file", ("a.png", b"a")), ("file", ("b.png", b"b"))])
    elif content_type == "not an image":
        response = http.post("training-asset", files={"file": ("a.png", b"\x89PNG\r\n\x1a\nbroken")})
    else:
        response = http.post(
            "training-asset", files={"file": ("a.png", tiny_png())}, data={"name": "a\x00b", "tags[]": ["x"]}
        )
    refused(http, response, field)


@pytest.mark.parametrize(
    "path", ["/files/job_x/%C2%B2.jpg", "/files/job_x/1.png", "/files/assets/%00/thumbnail.jpg"]
)
def test_odd_file_paths_are_a_404(http, emu, path):
    response = http.get(emu.origin + path)
    assert response.status_code == 404 and set(response.json()["error"]) == {"code", "message"}


@pytest.mark.parametrize(
    "raw",
    [
        b"GARBAGE\r\n\r\n",
        b"GET /v1/me HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
        b"GET /v1/me HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n",
        b"POST /v1/generate HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"GET /v1/me HTTP/1.1\r\nX: a\x00b\r\n\r\n",
    ],
    ids=["not-http", "bad-content-length", "bad-header-name", "transfer-encoding", "nul-in-header"],
)
def test_a_request_that_is_not_http_gets_a_json_400_and_the_server_carries_on(http, emu, raw):
    host, port = emu.origin.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as raw_socket:
        raw_socket.sendall(raw)
        head, _, body = _read_all(raw_socket).partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400") and b"content-type: application/json" in head.lower()
    assert json.loads(body)["error"]["code"] == "invalid_request"
    assert http.get("me").status_code == 200


def _read_all(raw_socket: socket.socket) -> bytes:
    data = b""
    while chunk := raw_socket.recv(65536):
        data += chunk
    return data
