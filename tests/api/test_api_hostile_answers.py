"""Hostile answers from a scripted server: each ends in the right typed error or result, in bounded time."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import httpx
import pytest
from api_helpers import Script, answer, job_json, mock_async_client, mock_client

from productai_notebook.api import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidResponseError,
    JobMayExistError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    _http,
    _lost_creates,
)

HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"
GENERATE = {"model": "nanobanana2", "image_url": "https://example.com/shoe.jpg", "prompt": "on marble"}


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # retries keep their shape (exponential, jittered) but take milliseconds
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.01)
    # a lost create's search waits for a job to show in listings: no scripted server lags
    monkeypatch.setattr(_lost_creates, "VISIBLE_SECONDS", 0.01)


def test_an_html_502_page_is_retried_then_reported_as_a_server_error() -> None:
    script = Script(answer(502, HTML_502, {"content-type": "text/html"}))
    with mock_client(script, max_retries=2) as client, pytest.raises(InternalServerError) as caught:
        client.jobs.get("job_1")
    assert len(script.requests) == 3
    assert caught.value.status_code == 502 and "<html>" not in str(caught.value)


def test_an_html_502_then_the_job() -> None:
    script = Script(answer(502, HTML_502), answer(200, job_json()))
    with mock_client(script) as client:
        assert client.jobs.get("job_abc123xyz").progress == 45


def test_an_empty_body_is_an_invalid_response() -> None:
    with (
        mock_client(Script(answer(200, b""))) as client,
        pytest.raises(InvalidResponseError, match="empty body"),
    ):
        client.jobs.get("job_1")


def test_truncated_json_is_an_invalid_response() -> None:
    script = Script(answer(200, b'{"job_id": "job_1", "status": "proc'))
    with mock_client(script) as client, pytest.raises(InvalidResponseError, match="not JSON"):
        client.jobs.get("job_1")


def test_wrong_types_are_an_invalid_response_naming_the_field() -> None:
    script = Script(answer(200, job_json(progress="half")))
    with mock_client(script) as client, pytest.raises(InvalidResponseError, match="progress"):
        client.jobs.get("job_1")


def test_a_missing_job_id_is_an_invalid_response() -> None:
    body = job_json()
    del body["job_id"]
    with (
        mock_client(Script(answer(200, body))) as client,
        pytest.raises(InvalidResponseError, match="job_id"),
    ):
        client.jobs.get("job_1")


def test_an_unknown_status_is_shown_not_a_crash() -> None:
    with mock_client(Script(answer(200, job_json(status="upscaling", progress=80)))) as client:
        job = client.jobs.get("job_1")
    assert job.status == "upscaling" and "upscaling" in repr(job)


def test_429_with_retry_after_as_an_http_date_is_honoured() -> None:
    soon = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=1), usegmt=True)
    script = Script(
        answer(
            429, {"error": {"code": "rate_limit_exceeded", "message": "slow down"}}, {"Retry-After": soon}
        ),
        answer(200, job_json()),
    )
    with mock_client(script) as client:
        assert client.jobs.get("job_abc123xyz").status == "processing"
    assert len(script.requests) == 2


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)
    date = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert _http.retry_after_seconds(httpx.Headers({"Retry-After": date}), now) == 7
    assert _http.retry_after_seconds(httpx.Headers({"Retry-After": "2.5"})) == 2.5
    assert _http.retry_after_seconds(httpx.Headers({"Retry-After": "soon"})) is None
    assert _http.retry_after_seconds(httpx.Headers({})) is None


def test_a_rate_limit_past_the_cap_is_reported_with_when_to_retry() -> None:
    script = Script(
        answer(429, {"error": {"code": "rate_limit_exceeded", "message": "slow"}}, {"Retry-After": "600"})
    )
    with mock_client(script) as client, pytest.raises(RateLimitError) as caught:
        client.me()
    assert caught.value.retry_after == 600 and "Retry in 600 s" in str(caught.value)
    assert len(script.requests) == 1


def test_a_read_timeout_on_a_read_is_retried_then_a_timeout_error() -> None:
    script = Script(httpx.ReadTimeout("slow"))
    with mock_client(script, max_retries=2) as client, pytest.raises(APITimeoutError, match="larger timeout"):
        client.jobs.get("job_1")
    assert len(script.requests) == 3


def posts(script: Script) -> int:
    return sum(request.method == "POST" for request in script.requests)


def test_a_read_timeout_on_generate_is_never_retried() -> None:
    """The request may have reached the server: a retry could create a second job."""
    script = Script(httpx.ReadTimeout("slow"))
    # the search waits one read timeout more for the job to show: a short one keeps the test short
    with mock_client(script, max_retries=5, timeout=0.2) as client, pytest.raises(JobMayExistError) as caught:
        client.generate(**GENERATE)
    assert posts(script) == 1 and isinstance(caught.value.__cause__, APITimeoutError)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_generate_is_not_retried_after_a_server_error(status: int) -> None:
    script = Script(answer(status, {"error": {"code": "internal_error", "message": "oops"}}))
    with mock_client(script, max_retries=5) as client, pytest.raises(JobMayExistError) as caught:
        client.generate(**GENERATE)
    assert posts(script) == 1 and isinstance(caught.value.__cause__, InternalServerError)


def test_generate_is_retried_after_a_connect_error_and_a_429() -> None:
    accepted = {
        "job_id": "job_new",
        "status": "pending",
        "created_at": "2024-01-15T10:30:00Z",
        "model": "nanobanana2",
    }
    script = Script(
        httpx.ConnectError("refused"),
        answer(429, {"error": {"code": "rate_limit_exceeded", "message": "slow"}}, {"Retry-After": "0"}),
        answer(202, accepted),
    )
    with mock_client(script, max_retries=3) as client:
        job = client.generate(**GENERATE)
    assert job.id == "job_new" and job.prompt == "on marble" and len(script.requests) == 3


def test_a_connection_error_says_what_to_check() -> None:
    with mock_client(Script(httpx.ConnectError("refused")), max_retries=0) as client:
        with pytest.raises(APIConnectionError, match="check the network and the base_url"):
            client.me()


@pytest.mark.parametrize(
    ("status", "code", "kind"),
    [
        (400, "invalid_request", BadRequestError),
        (401, "unauthorized", AuthenticationError),
        (403, "forbidden", PermissionDeniedError),
        (403, "insufficient_credits", InsufficientCreditsError),
        (404, "job_not_found", NotFoundError),
        (500, "internal_error", InternalServerError),
    ],
)
def test_each_error_status_has_its_class_and_keeps_the_server_words(
    status: int, code: str, kind: type
) -> None:
    script = Script(answer(status, {"error": {"code": code, "message": "the server's words"}}))
    with mock_client(script, max_retries=0) as client, pytest.raises(kind) as caught:
        client.jobs.get("job_1")
    assert caught.value.code == code and "the server's words" in str(caught.value)


def test_a_refused_key_is_called_refused_with_where_to_find_a_valid_one() -> None:
    with (
        mock_client(Script(answer(401, b"")), max_retries=0) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.me()
    # the user did pass a key: "pass api_key=" would not help
    assert "refused this key" in str(caught.value) and "dashboard" in str(caught.value)
    assert caught.value.key_refused and not caught.value.local


async def test_the_async_client_follows_the_same_policy() -> None:
    script = Script(answer(503, HTML_502), httpx.ConnectError("refused"), answer(200, job_json()))
    async with mock_async_client(script, max_retries=3) as client:
        job = await client.jobs.get("job_abc123xyz")
    assert job.progress == 45 and len(script.requests) == 3


async def test_the_async_client_does_not_retry_generate_after_a_timeout() -> None:
    script = Script(httpx.ReadTimeout("slow"))
    async with mock_async_client(script, max_retries=5, timeout=0.2) as client:
        with pytest.raises(JobMayExistError):
            await client.generate(**GENERATE)
    assert posts(script) == 1


@pytest.mark.parametrize(
    ("field", "number"),
    [
        ("progress", "NaN"),
        ("progress", "Infinity"),
        ("progress", "1e400"),
        ("estimated_time_seconds", "NaN"),
        ("estimated_time_seconds", "-Infinity"),
    ],
)
def test_a_number_that_is_not_finite_is_an_invalid_response_naming_the_field(field: str, number: str) -> None:
    # Python's json reads NaN, Infinity and 1e400 (as inf): they must not escape the error tree
    body = f'{{"job_id": "job_1", "status": "processing", "{field}": {number}}}'.encode()
    with mock_client(Script(answer(200, body))) as client, pytest.raises(InvalidResponseError) as caught:
        client.jobs.get("job_1")
    assert f"job.{field}" in str(caught.value)
