"""Generated hostile input at every emulator route: JSON bodies, raw bytes, query strings, headers,
paths and multipart uploads. Whatever arrives, the answer is never a 5xx, a 4xx is always the
API's error shape, the keep-alive connection survives it, and nothing is logged or printed."""

from __future__ import annotations

import io
import json
import logging
import urllib.parse
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from productai_notebook.contract import ASPECT_RATIOS, MODELS, STATUS_FILTERS
from productai_notebook.emulator import Emulator

# A warning anywhere (a Pillow size warning, a deprecation in the server's thread) fails the test.
pytestmark = pytest.mark.filterwarnings("error")

# Bounded, so the whole file stays a few seconds of `make test`; no example database in the repo.
BOUNDED = settings(
    max_examples=80,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Loud(logging.Handler):
    """Every warning or error logged anywhere in the process (uvicorn, starlette, the emulator)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}")


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(api_key="pk_test_properties", job_seconds=(0.2, 0.4), seed=3, rate_limit=10**6) as e:
        yield e


LOUD = Loud()


@pytest.fixture(scope="module", autouse=True)
def loud() -> Iterator[Loud]:
    logging.getLogger().addHandler(LOUD)
    yield LOUD
    logging.getLogger().removeHandler(LOUD)


@pytest.fixture(scope="module")
def http(emu: Emulator) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=emu.origin,
        headers={"Authorization": f"Bearer {emu.api_key}"},
        limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        timeout=30.0,
    ) as client:
        yield client


@pytest.fixture(scope="module")
def known(emu: Emulator, http: httpx.Client) -> dict[str, str]:
    """Ids that exist, so generated paths also reach the found-it branches."""
    png = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 0, 250)).save(png, "PNG")
    asset = http.post("/v1/training-asset", files={"file": ("p.png", png.getvalue(), "image/png")}).json()
    body = {"model": "seedream", "prompt": "a cup", "asset_id": asset["asset_id"]}
    job = http.post("/v1/generate", json=body).json()
    return {"asset_id": asset["asset_id"], "job_id": job["job_id"]}


@pytest.fixture(autouse=True)
def silent(loud: Loud, capfd: pytest.CaptureFixture[str]) -> Iterator[None]:
    loud.records.clear()
    yield
    assert loud.records == []
    assert capfd.readouterr().err == ""


# Text as hostile clients send it: any character, plus lone surrogates and NUL often.
hostile_text = st.text(st.one_of(st.characters(), st.sampled_from(["\ud800", "\udfff", "\x00"])), max_size=12)
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), hostile_text, st.just(1e400)
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile_text, inner, max_size=3),
    max_leaves=12,
)


FIELDS = {
    "model": list(MODELS),
    "prompt": ["a lamp", "#fail"],
    "preset_id": ["studio"],
    "image_url": ["https://example.com/a.png", "data:image/png;base64,AAAA", "http://[::1"],
    "asset_id": ["asset_x"],
    "num_images": [1, 4, 0, 5, True],
    "aspect_ratio": list(ASPECT_RATIOS),
    "webhook_url": ["http://127.0.0.1:9/hook", "https://example.com/h"],
    "url": ["data:image/png;base64,AAAA", "http://127.0.0.1:1/a.png"],
    "name": ["mug"],
    "tags": [["a"]],
}


# URLs with any host and port: accepted ones are fetched (loopback inputs) or POSTed to (webhooks),
# and whatever they lead to must stay a failed attempt, never a 500 or a traceback.
urls = st.one_of(
    st.builds("http://{}:{}/a".format, hostile_text, st.integers(-5, 70000)),
    st.builds("http://127.0.0.1:{}/{}".format, st.integers(-5, 70000), hostile_text),
)


def bodies(valid: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid body with one to three fields changed (to another valid value, or to anything JSON
    can hold) or dropped, and maybe an unknown field: most reach the check of the field changed."""
    changes = st.dictionaries(
        st.sampled_from(sorted(FIELDS)),
        st.one_of(
            json_values,
            st.sampled_from([None]),
            st.sampled_from([v for vs in FIELDS.values() for v in vs]),
            urls,
        ),
        min_size=1,
        max_size=3,
    )
    extra = st.dictionaries(hostile_text, json_values, max_size=1)
    return st.tuples(changes, extra).map(
        lambda pair: {k: v for k, v in {**pair[1], **valid, **pair[0]}.items() if v is not None}
    )


def encode(body: Any) -> bytes:
    # ensure_ascii: lone surrogates travel as \ud800 escapes, as a hostile client writes them
    return json.dumps(body).encode()


raw_bodies = st.one_of(
    st.binary(max_size=64), st.sampled_from([b"[" * 5000, b'{"a":' * 3000, b"\xef\xbb\xbf{}"])
)
query_values = st.one_of(
    st.sampled_from(["1", "0", "100", "101", "-1", "2147483648", "1e3", "1_0", " 7", "\u0661"]),
    st.sampled_from(STATUS_FILTERS),
    hostile_text,
)
queries = st.one_of(
    st.lists(st.tuples(st.sampled_from(["limit", "offset", "status", "x"]), query_values), max_size=4).map(
        lambda pairs: urllib.parse.urlencode(pairs, errors="surrogatepass")
    ),
    st.binary(max_size=24).map(lambda raw: urllib.parse.quote_from_bytes(raw, safe="=&")),
)
# Header values httpx will send: visible ASCII and Latin-1, no surrounding blanks.
header_values = st.binary(max_size=40).map(lambda raw: bytes(b for b in raw if b >= 0x21 and b != 0x7F))
path_segments = st.one_of(
    st.sampled_from(["job_x", "1.jpg", "%C2%B2.jpg", "..", "%00", "%ED%A0%80", "4.jpg", "thumbnail.jpg"]),
    st.binary(min_size=1, max_size=16).map(lambda raw: urllib.parse.quote_from_bytes(raw, safe="")),
)


def check(http: httpx.Client, response: httpx.Response) -> None:
    """No 5xx; a 4xx is exactly {"error": {"code", "message"}}; nothing logged; the connection
    answers again."""
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}, body
        assert all(isinstance(v, str) and v for v in body["error"].values()), body
    logged, LOUD.records[:] = LOUD.records[:], []  # read and cleared: one example's lines fail only it
    assert logged == []
    port = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    after = http.get("/v1/me")
    assert after.status_code == 200
    assert after.extensions["network_stream"].get_extra_info("client_addr")[1] == port


@BOUNDED
@given(data=st.data())
def test_generate_survives_any_json_body(http, known, data):
    valid = {"model": "nanobanana2", "prompt": "a lamp", "asset_id": known["asset_id"], "num_images": 2}
    body = data.draw(bodies(valid))
    check(http, http.post("/v1/generate", content=encode(body), headers={"Content-Type": "application/json"}))


@BOUNDED
@given(content=raw_bodies, path=st.sampled_from(["/v1/generate", "/v1/training-asset"]))
def test_posts_survive_any_bytes(http, content, path):
    check(http, http.post(path, content=content, headers={"Content-Type": "application/json"}))


@BOUNDED
@given(data=st.data())
def test_training_asset_survives_any_json_body(http, known, data):
    body = data.draw(bodies({"url": f"{http.base_url}files/assets/{known['asset_id']}", "name": "n"}))
    response = http.post("/v1/training-asset", content=encode(body))
    check(http, response)


@BOUNDED
@given(
    query=queries,
    path=st.sampled_from(["/v1/jobs", "/v1/my-uploaded-assets", "/v1/me", "/_emulator/webhooks"]),
)
def test_listings_survive_any_query_string(http, query, path):
    check(http, http.get(f"{path}?{query}"))


# Headers that change how HTTP itself goes (not Connection: close, which ends the connection).
protocol_headers = st.fixed_dictionaries(
    {},
    optional={
        "Connection": st.sampled_from(["Upgrade", "keep-alive, Upgrade", "Upgrade, HTTP2-Settings"]),
        "Upgrade": st.one_of(st.sampled_from(["websocket", "h2c", "TLS/1.2"]), header_values),
        "Sec-WebSocket-Key": header_values,
        "Expect": st.one_of(st.just("100-continue"), header_values),
        "Content-Encoding": st.one_of(st.sampled_from(["gzip", "br"]), header_values),
        "Accept": header_values,
    },
)


@BOUNDED
@given(
    authorization=st.one_of(header_values, header_values.map(lambda key: (b"Bearer " + key).strip())),
    content_type=header_values,
    protocol=protocol_headers,
    path=st.sampled_from(["/v1/me", "/v1/jobs", "/v1/my-uploaded-assets", "/v1/jobs/job_x"]),
)
def test_routes_survive_any_headers(http, authorization, content_type, protocol, path):
    headers = {
        "Authorization": authorization,
        "Content-Type": content_type,
        "X-Odd": content_type,
        **protocol,
    }
    check(http, http.get(path, headers=headers))


@BOUNDED
@given(
    route=st.sampled_from(
        ["/v1/jobs/{}", "/files/{}/{}", "/files/assets/{}", "/files/assets/{}/thumbnail.jpg"]
    ),
    first=path_segments,
    second=path_segments,
    method=st.sampled_from(["GET", "GET", "POST", "DELETE", "PUT"]),
    use_known=st.booleans(),
)
def test_paths_survive_any_id(http, known, route, first, second, method, use_known):
    if use_known:
        first = known["asset_id"] if "assets" in route else known["job_id"]
    check(http, http.request(method, route.format(first, second)))


uploads = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"\xff\xd8\xff\xe0", b"RIFF\x00\x00\x00\x00WEBPVP8 "]
    ),
)
form_text = st.text(st.one_of(st.characters(exclude_categories=("Cs",)), st.just("\x00")), max_size=12)


@BOUNDED
@given(
    content=uploads,
    file_field=st.sampled_from(["file", "file", "image", "files[]"]),
    filename=st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=10),
    fields=st.dictionaries(st.sampled_from(["name", "tags[]", "tags", "url", "x"]), form_text, max_size=3),
    twice=st.booleans(),
)
def test_training_asset_survives_any_multipart_upload(http, content, file_field, filename, fields, twice):
    files = [(file_field, (filename, content, "image/png"))] * (2 if twice else 1)
    check(http, http.post("/v1/training-asset", files=files, data=fields))
