"""A paid job is never lost nor paid twice: when a create's answer is lost, the client finds the job.

Against the emulator, which stores the job and then answers badly (a reset, half a body, a 502);
hostile answers it cannot give (a read timeout) come from a scripted server.
"""

from __future__ import annotations

import socket
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from api_helpers import Script, answer, job_json, mock_client

from productai_notebook.api import (
    APIConnectionError,
    AsyncProductAI,
    InsufficientCreditsError,
    JobMayExistError,
    JobPage,
    JobState,
    ProductAI,
    _http,
)
from productai_notebook.api._reconcile import MAX_PAGES, LostCreate
from productai_notebook.emulator import Emulator

SHOE = {"model": "nanobanana2", "image_url": "https://example.com/shoe.jpg", "prompt": "on marble"}


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.01)


@pytest.mark.parametrize("fault", ["reset_after", "garbage", "502_after"])
def test_a_create_whose_answer_is_lost_after_the_job_was_stored_comes_back_as_the_job(
    emulator: Emulator, account: ProductAI, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)
    job = account.generate(**SHOE, num_images=2)
    assert job.id.startswith("job_") and job.prompt == "on marble" and job.num_images == 2
    assert job.wait(timeout=60, poll_interval=0.1).status == "completed" and len(job.images) == 2
    # one paid job, one create sent: nothing was retried
    assert account.jobs.list().total == 1
    assert emulator.requests(account_key)["routes"]["generate"] == 1


def test_two_jobs_that_could_be_it_give_the_distinct_error_with_both(
    emulator: Emulator, account: ProductAI, account_key: str
) -> None:
    # the same account, another process: a job of the same model and size, just before
    with ProductAI(account_key, base_url=emulator.base_url) as elsewhere:
        other = elsewhere.generate(**SHOE)
    emulator.fail_next("502_after")
    with pytest.raises(JobMayExistError) as caught:
        account.generate(**SHOE)
    error = caught.value
    assert len(error.candidates) == 2 and other.id in {job.job_id for job in error.candidates}
    text = str(error)
    assert "may exist" in text and "before generating again" in text and other.id in text
    assert "502" in text and isinstance(error.__cause__, Exception)
    assert emulator.requests(account_key)["routes"]["generate"] == 2  # no retry of ours


def test_jobs_this_client_made_or_of_another_model_are_not_taken_for_the_lost_one(
    emulator: Emulator, account: ProductAI, account_key: str
) -> None:
    earlier = account.generate(**SHOE)
    del earlier  # even with its handle gone, the client remembers it made that job
    with ProductAI(account_key, base_url=emulator.base_url) as elsewhere:
        elsewhere.generate(**{**SHOE, "model": "seedream"})
        elsewhere.generate(**SHOE, num_images=3)
    emulator.fail_next("reset_after")
    job = account.generate(**SHOE)
    assert job.model == "nanobanana2" and job.num_images == 1
    assert account.jobs.list().total == 4


def test_a_refused_create_is_its_own_error_and_nothing_is_looked_up(
    emulator: Emulator, account_key: str
) -> None:
    emulator.add_account(account_key + "_poor", plan="pro", credits=0)
    with (
        ProductAI(account_key + "_poor", base_url=emulator.base_url) as poor,
        pytest.raises(InsufficientCreditsError),
    ):
        poor.generate(**SHOE)
    assert emulator.requests(account_key + "_poor")["routes"] == {"generate": 1}


def test_a_create_that_never_left_is_a_connection_error_not_a_maybe() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    with ProductAI("pk_test_x", base_url=closed, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as caught:
            client.generate(**SHOE)
    assert not isinstance(caught.value, JobMayExistError) and not caught.value.may_have_arrived


async def test_the_async_client_finds_the_lost_job_too(
    emulator: Emulator, account_key: str
) -> None:
    emulator.fail_next("reset_after")
    async with AsyncProductAI(account_key, base_url=emulator.base_url) as client:
        job = await client.generate(**SHOE)
        assert (await client.jobs.list()).jobs[0].job_id == job.id


def test_a_read_timeout_after_sending_is_resolved_from_the_newest_jobs() -> None:
    listed = job_json("job_lost", status="pending", progress=0, created_at=_iso(datetime.now(timezone.utc)))
    page = {"jobs": [listed], "total": 1, "limit": 100, "offset": 0, "has_more": False}
    script = Script(httpx.ReadTimeout("no answer"), answer(200, page))
    with mock_client(script, max_retries=5) as client:
        job = client.generate(**SHOE)
    assert job.id == "job_lost"
    assert [request.method for request in script.requests] == ["POST", "GET"]


def test_when_the_jobs_cannot_be_listed_either_the_error_says_the_job_may_exist() -> None:
    script = Script(httpx.ReadTimeout("no answer"), httpx.ConnectError("refused"))
    with mock_client(script, max_retries=1) as client, pytest.raises(JobMayExistError) as caught:
        client.generate(**SHOE)
    text = str(caught.value)
    assert caught.value.candidates == () and "no answer came in time" in text
    assert "listing the jobs failed" in text and "matches it yet" not in text  # nothing was searched
    assert "retry in a few seconds" not in text  # the cause's own advice would pay twice
    assert [request.method for request in script.requests].count("POST") == 1


# -- the decision alone ------------------------------------------------------------------------

SENT = datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)
LOST = APIConnectionError("the connection broke after the request was sent")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _page(ages: list[float], offset: int = 0, has_more: bool = False, **fields: object) -> JobPage:
    created = [_iso(SENT + timedelta(seconds=age)) for age in ages]
    jobs = [
        JobState.parse(job_json(f"job_{offset + i}", created_at=at, **fields)) for i, at in enumerate(created)
    ]
    return JobPage(tuple(jobs), total=len(jobs), limit=100, offset=offset, has_more=has_more)


def test_the_search_stops_at_the_first_page_of_older_jobs() -> None:
    search = LostCreate({"model": "nanobanana2", "num_images": 1}, SENT)
    search.take(_page([1, 0, -30], has_more=True))
    assert search.next_offset == 3
    search.take(_page([-120, -200], offset=3, has_more=True))  # older than the request by far
    assert search.next_offset is None
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(LOST, known={"job_0"})
    assert [job.job_id for job in caught.value.candidates] == ["job_1", "job_2"]


def test_a_failed_job_listed_without_model_can_still_be_the_one() -> None:
    search = LostCreate({"model": "seedream", "num_images": 2}, SENT)
    page = _page([1], status="failed", model=None, num_images=None)
    search.take(page)
    assert search.outcome(LOST, known=()) == page.jobs[0]


def test_a_search_that_gave_up_never_claims_a_job() -> None:
    search = LostCreate({"model": "nanobanana2", "num_images": 1}, SENT)
    for number in range(MAX_PAGES):
        search.take(_page([1], offset=number, has_more=True, model="seedream" if number else "nanobanana2"))
    assert search.next_offset is None
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(LOST, known=())
    assert [job.job_id for job in caught.value.candidates] == ["job_0"]
