"""What an error says: one line, the server's words once, and where to look next."""

from __future__ import annotations

import traceback
from pathlib import Path

import pytest
from api_helpers import Script, answer, mock_async_client, mock_client

from productai_notebook.api import (
    InvalidArgumentError,
    JobFailedError,
    JobState,
    NotFoundError,
    RateLimitError,
)
from productai_notebook.api.job import JobHandle


def server_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Script:
    return Script(answer(status, {"error": {"code": code, "message": message}}, headers))


def test_a_server_sentence_is_not_followed_by_a_second_full_stop() -> None:
    script = server_error(404, "job_not_found", "Job not found.")
    with mock_client(script, max_retries=0) as client, pytest.raises(NotFoundError) as caught:
        client.jobs.get("job_missing")
    assert str(caught.value) == (
        "404 job_not_found: Job not found. Check the id: it may be mistyped or belong to another account."
    )


def test_a_multi_line_server_message_is_folded_into_one_line() -> None:
    script = server_error(404, "job_not_found", "Job not found.\n  It may have expired.\n")
    with mock_client(script, max_retries=0) as client, pytest.raises(NotFoundError) as caught:
        client.jobs.get("job_missing")
    text = str(caught.value)
    assert "\n" not in text and "Job not found. It may have expired. Check the id" in text
    assert caught.value.message.startswith("Job not found.")  # the server's own words stay as sent


def test_a_failed_job_says_why_in_one_line() -> None:
    state = JobState.parse(
        {
            "job_id": "job_bad",
            "status": "failed",
            "error": {"code": "invalid_image", "message": "The image could not be read.\nTry a JPEG."},
        }
    )
    text = str(JobFailedError(JobHandle(state)))
    assert text.startswith("Job job_bad failed (invalid_image): The image could not be read. Try a JPEG. ")
    assert ".." not in text and "\n" not in text


def test_a_rate_limit_says_when_to_retry_once() -> None:
    script = server_error(
        429,
        "rate_limit_exceeded",
        "Rate limit of 10 requests per minute exceeded; retry after 60 s",
        {"Retry-After": "60"},
    )
    with mock_client(script, max_retries=0) as client, pytest.raises(RateLimitError) as caught:
        client.me()
    text = str(caught.value)
    assert text.count("60 s") == 1 and "poll less often" in text
    assert caught.value.retry_after == 60


def test_a_rate_limit_without_the_servers_word_on_when_says_it_in_ours() -> None:
    script = server_error(429, "rate_limit_exceeded", "Too many requests.", {"Retry-After": "600"})
    with mock_client(script, max_retries=0) as client, pytest.raises(RateLimitError) as caught:
        client.me()
    assert str(caught.value) == (
        "429 rate_limit_exceeded: Too many requests. Retry in 600 s, or poll less often."
    )


@pytest.mark.parametrize("job_id", ["", None])
def test_an_empty_job_id_says_what_a_job_id_looks_like(job_id: object) -> None:
    script = Script(answer(200, {}))
    with mock_client(script) as client, pytest.raises(InvalidArgumentError) as caught:
        client.jobs.get(job_id)  # type: ignore[arg-type]
    assert str(caught.value) == "job_id: must be a non-empty job id like job_abc123"
    assert caught.value.field == "job_id" and script.requests == []


def test_a_missing_upload_file_says_where_it_was_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    script = Script(answer(201, {"asset_id": "asset_1"}))
    with mock_client(script) as client, pytest.raises(InvalidArgumentError) as caught:
        client.assets.upload("photos/shoe.png")
    text = str(caught.value)
    assert str(tmp_path.resolve() / "photos" / "shoe.png") in text and "shoe.png" in text
    assert script.requests == []


def _frames_of(error: BaseException) -> list[str]:
    """The functions of a traceback, outermost first: what a notebook shows the user."""
    return [frame.name for frame in traceback.extract_tb(error.__traceback__)]


@pytest.mark.parametrize(
    ("arguments", "says"),
    [
        ({"model": "nanobanan2"}, "model: 'nanobanan2' is not one of nanobanana2, "),
        ({"num_images": 9}, "num_images: must be 1 to 4, got 9; did you mean 4?"),
        ({"aspect_ratio": "16/9"}, "; did you mean '16:9'?"),
    ],
)
def test_a_bad_argument_is_raised_from_the_call_itself_with_the_closest_valid_value(
    arguments: dict[str, object], says: str
) -> None:
    call = {"model": "nanobanana2", "image_url": "https://example.com/a.png", "prompt": "on oak", **arguments}
    with mock_client(Script(), max_retries=0) as client, pytest.raises(InvalidArgumentError) as caught:
        client.generate(**call)  # type: ignore[arg-type]
    assert says in str(caught.value)
    # the traceback stops in generate (hidden in a notebook) and the two-line frame that raises it
    # again: none of the library's checking frames below it
    assert _frames_of(caught.value)[-2:] == ["generate", "__exit__"]
    if "model" in arguments:
        assert str(caught.value).endswith("did you mean 'nanobanana2'?")


async def test_the_async_client_and_listings_raise_from_the_call_too() -> None:
    with mock_client(Script(), max_retries=0) as client, pytest.raises(InvalidArgumentError) as caught:
        client.jobs.list(status="complete")
    assert str(caught.value).endswith("did you mean 'completed'?")
    assert _frames_of(caught.value)[-2:] == ["list", "__exit__"]
    async with mock_async_client(Script(), max_retries=0) as client:
        with pytest.raises(InvalidArgumentError) as caught:
            await client.generate(model="seedreem", image_url="https://example.com/a.png", prompt="x")
    assert str(caught.value).endswith("did you mean 'seedream'?")
    assert _frames_of(caught.value)[-2:] == ["generate", "__exit__"]
