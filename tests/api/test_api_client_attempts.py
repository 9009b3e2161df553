"""The retry loop both clients drive, decided without sockets: what it sends, waits and raises."""

from __future__ import annotations

import logging

import httpx
import pytest
from api_helpers import BASE, KEY, answer

from productai_notebook.api import (
    APIConnectionError,
    APITimeoutError,
    InternalServerError,
    NotFoundError,
    RateLimitError,
    _http,
)
from productai_notebook.api._http import Attempts, ClientSettings, RequestSpec

READ = RequestSpec("GET", "jobs/job_1")
GENERATE = RequestSpec("POST", "generate", json={"model": "nanobanana2"}, creates=True)
RATE_LIMITED = {"error": {"code": "rate_limit_exceeded", "message": "slow down"}}


def attempts(spec: RequestSpec, max_retries: int = 2) -> Attempts:
    return Attempts(ClientSettings(api_key=KEY, base_url=BASE, max_retries=max_retries), spec)


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.01)


def test_each_request_carries_the_call_and_the_key_for_the_api() -> None:
    with httpx.Client() as http:
        request = attempts(GENERATE).request(http)
    assert request.method == "POST" and str(request.url) == f"{BASE}/generate"
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.content == b'{"model":"nanobanana2"}'


def test_a_success_ends_the_loop() -> None:
    assert attempts(READ).after_response(answer(200, {})) is None


def test_a_read_is_retried_after_a_server_error_until_the_retries_run_out() -> None:
    loop = attempts(READ, max_retries=2)
    assert loop.after_response(answer(502)) >= 0
    assert loop.after_error(httpx.ReadTimeout("slow")) >= 0
    with pytest.raises(InternalServerError):
        loop.after_response(answer(503))


def test_an_error_that_no_retry_can_fix_is_raised_at_once() -> None:
    with pytest.raises(NotFoundError):
        attempts(READ).after_response(answer(404, {"error": {"code": "job_not_found", "message": "no"}}))


def test_generate_is_retried_only_when_it_surely_made_no_job() -> None:
    loop = attempts(GENERATE, max_retries=5)
    assert loop.after_error(httpx.ConnectError("refused")) >= 0
    assert loop.after_response(answer(429, RATE_LIMITED, {"Retry-After": "0"})) >= 0
    with pytest.raises(InternalServerError):
        loop.after_response(answer(500))
    with pytest.raises(APITimeoutError):
        attempts(GENERATE, max_retries=5).after_error(httpx.ReadTimeout("slow"))


def test_retry_after_sets_the_wait_and_past_the_cap_the_error_says_when() -> None:
    assert attempts(READ).after_response(answer(429, RATE_LIMITED, {"Retry-After": "3"})) >= 3
    with pytest.raises(RateLimitError) as caught:
        attempts(READ).after_response(answer(429, RATE_LIMITED, {"Retry-After": "600"}))
    assert caught.value.retry_after == 600


def test_the_log_and_the_errors_never_show_the_key(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="productai_notebook.api")
    loop = attempts(READ, max_retries=1)
    loop.after_error(httpx.ConnectError(f"refused for {KEY}"))
    with pytest.raises(APIConnectionError) as caught:
        loop.after_error(httpx.ConnectError(f"refused for {KEY}"))
    assert "retry 1 of 1" in caplog.text
    assert KEY not in caplog.text and KEY not in str(caught.value)
    assert caught.value.__suppress_context__


@pytest.mark.parametrize("advised", ["59", "60"])
def test_a_server_asking_for_exactly_the_longest_wait_is_retried_after_it(advised: str) -> None:
    cap = _http.MAX_RETRY_WAIT_SECONDS
    delay = attempts(READ).after_response(answer(429, RATE_LIMITED, {"Retry-After": advised}))
    # the server's wait, plus a little jitter so clients told the same moment do not all return at once
    assert delay is not None and float(advised) <= delay <= cap + 1


def test_a_server_asking_for_more_than_the_longest_wait_gets_the_error() -> None:
    with pytest.raises(RateLimitError) as caught:
        attempts(READ).after_response(answer(429, RATE_LIMITED, {"Retry-After": "61"}))
    assert caught.value.retry_after == 61


def test_backoff_never_waits_longer_than_the_longest_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 10.0)
    loop = attempts(READ, max_retries=10)
    delays = [loop.after_response(answer(503)) for _ in range(10)]
    assert all(delay is not None and delay <= _http.MAX_RETRY_WAIT_SECONDS + 1 for delay in delays)
