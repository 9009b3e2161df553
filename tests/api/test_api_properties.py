"""Generated answers at the client's parsers and generated deliveries at the webhook parser.

Whatever the server sends, a parser gives a model or an InvalidResponseError (an error answer, an
APIStatusError): never another exception, and never the client's key in what comes out.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from productai_notebook.api import (
    Account,
    APIStatusError,
    Asset,
    InvalidResponseError,
    JobPage,
    JobState,
    _http,
)
from productai_notebook.api.resources.assets import parse_assets
from productai_notebook.api.webhooks import WebhookEvent, parse_event, sign
from productai_notebook.contract import MODELS, STATUSES

# Bounded, so the whole file stays a few seconds of `make test`; no example database in the repo.
BOUNDED = settings(max_examples=80, deadline=None, database=None)

KEY = "pk_test_CANARY_properties_8f14e45fceea167a5a36dedd4bea2543"
SETTINGS = _http.ClientSettings(api_key=KEY, base_url="https://api.example.test/v1")

# -- what a server might send ------------------------------------------------------------------

texts = st.one_of(st.text(max_size=12), st.just(KEY), st.just(f"Bearer {KEY}"), st.just("\ud800"))
numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=16,
)
zones = st.timezones() | st.none()
behind_utc = st.integers(-14 * 60, -1).map(lambda minutes: timezone(timedelta(minutes=minutes)))
ahead_of_utc = st.integers(1, 14 * 60).map(lambda minutes: timezone(timedelta(minutes=minutes)))
times = st.one_of(
    st.datetimes(timezones=zones).map(lambda moment: moment.isoformat()),
    # the ends of the calendar, where a zone's offset leaves the years 1..9999 in UTC
    st.datetimes(min_value=datetime(9999, 12, 31, 12), timezones=behind_utc).map(lambda m: m.isoformat()),
    st.datetimes(max_value=datetime(1, 1, 1, 12), timezones=ahead_of_utc).map(lambda m: m.isoformat()),
    st.datetimes().map(lambda moment: moment.isoformat() + "Z"),
    texts,
)
images = st.lists(
    st.fixed_dictionaries({"url": st.one_of(st.just("https://cdn.example/1.jpg"), any_json)},
                          optional={"width": numbers | any_json, "height": numbers | any_json}),
    max_size=3,
)
errors = st.fixed_dictionaries({}, optional={"code": texts | any_json, "message": texts | any_json})


def loosely(plausible: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly what the contract says, sometimes anything at all."""
    return st.one_of(plausible, plausible, any_json)


jobs = st.fixed_dictionaries(
    {"job_id": loosely(st.text(min_size=1, max_size=12)), "status": loosely(st.sampled_from(STATUSES))},
    optional={
        "progress": loosely(st.integers(-5, 105)),
        "model": loosely(st.sampled_from(MODELS)),
        "num_images": loosely(st.integers(0, 10)),
        "created_at": times,
        "started_at": times,
        "completed_at": times,
        "failed_at": times,
        "images": loosely(images),
        "tokens_used": loosely(numbers),
        "error": loosely(errors),
        "estimated_time_seconds": loosely(numbers),
        "extra": any_json,
    },
)
pages = st.fixed_dictionaries(
    {"jobs": loosely(st.lists(jobs, max_size=3)), "has_more": loosely(st.booleans())},
    optional={key: loosely(st.integers(0, 500)) for key in ("total", "limit", "offset")},
)
accounts = st.fixed_dictionaries(
    {"id": loosely(st.text(min_size=1, max_size=8))},
    optional={"email": texts, "plan": texts, "credits": loosely(st.dictionaries(texts, numbers, max_size=3))},
)
assets = st.fixed_dictionaries(
    {"asset_id": loosely(st.text(min_size=1, max_size=8))},
    optional={"tags": loosely(st.lists(texts, max_size=3)), "width": loosely(numbers), "created_at": times,
              "url": texts, "name": texts},
)
deep = st.integers(1, 100_000).map(lambda depth: b"[" * depth + b"]" * depth)
bodies = st.one_of(
    st.binary(max_size=64),
    any_json.map(lambda value: json.dumps(value).encode()),
    jobs.map(lambda value: json.dumps(value).encode()),
    deep,
)


def without_key(*values: object) -> None:
    for value in values:
        assert KEY not in str(value), value


# -- the properties ------------------------------------------------------------------------------


@BOUNDED
@given(st.one_of(jobs, any_json))
def test_a_job_answer_is_a_job_state_or_an_invalid_response(value: Any) -> None:
    try:
        state = JobState.parse(value)
    except InvalidResponseError as error:
        without_key(error)
        return
    # what the widgets and the static HTML use next must work too
    wire = state.to_dict()
    json.dumps(wire)
    assert isinstance(state.duration, timedelta | None) and isinstance(state.is_summary, bool)
    assert JobState.parse(wire) == state  # the wire shape reads back the same
    assert state.filled_from(state) == state


@BOUNDED
@given(times, st.sampled_from(["created_at", "completed_at", "failed_at"]))
def test_any_time_the_server_sends_reads_back_or_is_an_invalid_response(time: str, field: str) -> None:
    try:
        state = JobState.parse({"job_id": "job_1", "status": "completed", field: time})
    except InvalidResponseError:
        return
    assert JobState.parse(state.to_dict()) == state


@BOUNDED
@given(st.one_of(pages, any_json))
def test_a_page_answer_is_a_page_or_an_invalid_response(value: Any) -> None:
    try:
        page = JobPage.parse(value)
    except InvalidResponseError:
        return
    json.dumps(page.to_dict())


@BOUNDED
@given(st.one_of(accounts, assets, st.lists(assets, max_size=3), any_json))
def test_an_account_or_asset_answer_is_a_model_or_an_invalid_response(value: Any) -> None:
    for parse in (Account.parse, Asset.parse):
        try:
            json.dumps(parse(value).to_dict())
        except InvalidResponseError:
            pass
    for listing in (value, {"assets": value}):  # the asset list's two accepted shapes
        try:
            json.dumps([asset.to_dict() for asset in parse_assets(listing)[0]])
        except InvalidResponseError:
            pass


@BOUNDED
@given(st.integers(200, 299), bodies, st.one_of(st.none(), texts))
def test_a_success_body_decodes_to_json_without_the_key_or_is_an_invalid_response(
    status: int, body: bytes, content_type: str | None
) -> None:
    headers = [(b"content-type", content_type.encode("utf-8", "surrogatepass"))] if content_type else []
    try:
        value = _http.decode_json(SETTINGS, httpx.Response(status, content=body, headers=headers))
    except InvalidResponseError as error:
        without_key(error)
        return
    without_key(json.dumps(value))


@BOUNDED
@given(st.integers(300, 599), bodies, st.one_of(errors, any_json))
def test_an_error_answer_is_always_a_typed_error_without_the_key(status: int, body: bytes, detail: Any):
    for content in (body, json.dumps({"error": detail}).encode()):
        error = _http.status_error(SETTINGS, httpx.Response(status, content=content))
        assert isinstance(error, APIStatusError) and error.status_code == status
        without_key(error, repr(error), error.message, error.code, json.dumps(error.body))


@BOUNDED
@given(st.one_of(bodies, jobs.map(lambda job: json.dumps({"event": "job.completed", **job}).encode())))
def test_a_signed_delivery_is_an_event_or_an_invalid_response(body: bytes) -> None:
    try:
        event = parse_event(body, sign(body, KEY), KEY)
    except InvalidResponseError as error:
        without_key(error)
        return
    state = event.state()
    assert state.job_id == event.job_id
    without_key(event.payload, state)


def test_the_webhook_parser_alone_types_every_failure() -> None:
    with pytest.raises(InvalidResponseError):
        WebhookEvent.parse(b"\xff" + b"[" * 100_000)
