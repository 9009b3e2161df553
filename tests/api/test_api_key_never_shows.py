"""A recognisable key never appears in a repr, an exception's text, or the logs (DEBUG included)."""

from __future__ import annotations

import logging

import httpx
import pytest
from api_helpers import KEY, Script, answer, job_json, mock_client
from notebook_waits import free_port

from productai_notebook.api import JobFailedError, JobState, ProductAI, ProductAIError, _http
from productai_notebook.emulator import Emulator


def test_the_key_never_shows(
    api_key: str, emulator: Emulator, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.01)
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []

    def attempt(call) -> None:  # type: ignore[no-untyped-def]
        try:
            call()
        except ProductAIError as error:
            texts.extend([str(error), repr(error), repr(getattr(error, "job", ""))])

    with ProductAI(api_key, base_url=emulator.base_url) as client:
        texts.append(repr(client))
        texts.append(repr(client.settings))
        job = client.generate(model="nanobanana2", image_url="https://example.com/a.jpg", prompt="x #fail")
        attempt(lambda: job.wait(timeout=60, poll_interval=0.1))
        attempt(lambda: client.jobs.get("job_missing"))
        texts.append(repr(job))
        texts.append(str(job._repr_mimebundle_()))
    with ProductAI(api_key + "_wrong", base_url=emulator.base_url) as wrong:
        attempt(wrong.me)
    with ProductAI(api_key, base_url=f"http://127.0.0.1:{free_port()}/v1", max_retries=1) as down:
        attempt(down.me)
    # a server that echoes the key back in its error text
    echo = Script(answer(400, {"error": {"code": "invalid_request", "message": f"bad key {KEY}"}}))
    with mock_client(echo) as echoing:
        attempt(echoing.me)
    with mock_client(Script(httpx.ReadTimeout(f"timeout while sending {KEY}"))) as slow:
        attempt(slow.me)
    attempt(lambda: JobState.parse({"job_id": "job_1", "status": "processing", "progress": api_key}))
    attempt(lambda: JobState.parse({"job_id": "job_1", "status": "pending", "created_at": api_key}))
    assert any("JobFailedError" in text for text in texts) and len(texts) > 10
    for text in [*texts, caplog.text]:
        assert api_key not in text and KEY not in text
    assert "retry" in caplog.text  # the retries were logged, just without the key


def test_job_failed_error_names_the_job_not_the_client() -> None:
    with mock_client(
        Script(answer(200, job_json(status="failed", error={"code": "x", "message": "y"})))
    ) as client:
        job = client.jobs.get("job_1")
    assert KEY not in str(JobFailedError(job))
