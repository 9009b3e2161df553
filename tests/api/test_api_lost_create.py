"""A paid job is never lost nor paid twice: when a create's answer is lost, the client finds the job.

Against the emulator, which stores the job and then answers badly (a reset, half a body, a 502);
hostile answers it cannot give (a read timeout) come from a scripted server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest
from api_helpers import Script, answer, job_json, mock_client

from productai_notebook.api import (
    APIConnectionError,
    AsyncJob,
    AsyncProductAI,
    InsufficientCreditsError,
    InternalServerError,
    JobMayExistError,
    JobState,
    ProductAI,
    ProductAIError,
    _http,
    _lost_creates,
    _reconcile,
)
from productai_notebook.emulator import Emulator

SHOE = {"model": "nanobanana2", "image_url": "https://example.com/shoe.jpg", "prompt": "on marble"}


@pytest.fixture(autouse=True)
def fast_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_http, "BACKOFF_BASE_SECONDS", 0.01)
    # the emulator shows a job at once: no replica lag to wait for
    monkeypatch.setattr(_lost_creates, "VISIBLE_SECONDS", 0.05)
    monkeypatch.setattr(_reconcile, "LISTING_PAUSE_SECONDS", 0.01)


@pytest.mark.parametrize("fault", ["reset_after", "garbage", "502_after", "timeout_after"])
def test_a_create_whose_answer_is_lost_after_the_job_was_stored_comes_back_as_the_job(
    emulator: Emulator, account: ProductAI, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)
    job = account.with_options(timeout=1.0).generate(**SHOE, num_images=2)
    assert job.id.startswith("job_") and job.prompt == "on marble" and job.num_images == 2
    assert job.wait(timeout=60, poll_interval=0.1).status == "completed" and len(job.images) == 2
    # one paid job, one create sent: nothing was retried
    assert account.jobs.list().total == 1
    assert emulator.requests(account_key)["routes"]["generate"] == 1


@pytest.mark.parametrize("fault", ["500", "reset"])
def test_a_create_that_surely_made_no_job_is_sent_again_once_and_comes_back_as_its_job(
    emulator: Emulator, account: ProductAI, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)  # before the job is stored: the listing, once settled, holds none
    job = account.generate(**SHOE)
    assert job.prompt == "on marble" and emulator.prompts_made(account_key) == ["on marble"]
    assert emulator.requests(account_key)["routes"] == {"generate": 2, "list_jobs": 1}


def test_a_create_that_twice_made_no_job_says_so_with_its_own_error(
    emulator: Emulator, account: ProductAI, account_key: str
) -> None:
    emulator.fail_next("500")
    emulator.fail_next("500")
    with pytest.raises(InternalServerError) as caught:
        account.generate(**SHOE)
    assert not isinstance(caught.value, JobMayExistError) and "500" in str(caught.value)
    assert emulator.prompts_made(account_key) == []  # nothing made, nothing paid: safe to retry
    assert emulator.requests(account_key)["routes"] == {"generate": 2, "list_jobs": 2}


def test_two_jobs_that_could_be_it_give_the_distinct_error_with_both(
    emulator: Emulator, account: ProductAI, account_key: str
) -> None:
    # the same account, another process: a job of the same model and size, just before
    made = httpx.post(f"{emulator.base_url}/generate", json={**SHOE, "num_images": 1},
                      headers={"Authorization": f"Bearer {account_key}"})
    other = JobState.parse(made.json())
    emulator.fail_next("502_after")
    with pytest.raises(JobMayExistError) as caught:
        account.generate(**SHOE)
    error = caught.value
    assert len(error.candidates) == 2 and other.job_id in {job.job_id for job in error.candidates}
    text = str(error)
    assert "may exist" in text and "before generating again" in text and other.job_id in text
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
    with mock_client(script, max_retries=5, timeout=0.2) as client:
        job = client.generate(**SHOE)
    assert job.id == "job_lost"
    assert [request.method for request in script.requests] == ["POST", "GET"]


def test_when_the_jobs_cannot_be_listed_either_the_error_says_the_job_may_exist() -> None:
    script = Script(httpx.ReadTimeout("no answer"), httpx.ConnectError("refused"))
    with mock_client(script, max_retries=1, timeout=0.2) as client, pytest.raises(JobMayExistError) as caught:
        client.generate(**SHOE)
    text = str(caught.value)
    assert caught.value.candidates == () and "no answer came in time" in text
    assert "listing the jobs failed" in text and "matches it yet" not in text  # nothing was searched
    assert "retry in a few seconds" not in text  # the cause's own advice would pay twice
    assert [request.method for request in script.requests].count("POST") == 1


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


# -- many creates under way at once -----------------------------------------------------------



# a slow network: the first answered create's answer is held up on its way back (its job is stored,
# not yet known to its create) longer than a listing takes to go out, so a lost create searches
# while that job is unknown, and after the other creates' answers came
HELD_SECONDS = 0.8
LISTING_SECONDS = 0.3


class SlowNetwork:
    """Real loopback HTTP to the emulator, with some requests and answers held up on the way."""

    def __init__(self) -> None:
        super().__init__()
        self._held = threading.Event()

    @staticmethod
    def _before(request: httpx.Request) -> float:
        return LISTING_SECONDS if request.method == "GET" and request.url.path.endswith("/jobs") else 0.0

    def _after(self, request: httpx.Request, response: httpx.Response) -> float:
        if request.method != "POST" or not response.is_success or self._held.is_set():
            return 0.0
        self._held.set()
        return HELD_SECONDS


class SlowTransport(SlowNetwork, httpx.HTTPTransport):
    def handle_request(self, request: httpx.Request) -> httpx.Response:
        threading.Event().wait(self._before(request))
        response = super().handle_request(request)
        response.read()  # a reset shows here, before the answer is held up
        threading.Event().wait(self._after(request, response))
        return response


class AsyncSlowTransport(SlowNetwork, httpx.AsyncHTTPTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(self._before(request))
        response = await super().handle_async_request(request)
        await response.aread()  # a reset shows here, before the answer is held up
        await asyncio.sleep(self._after(request, response))
        return response


# "reset": the lost create made no job (the held one is the only one it could take, until its
# answer comes): it is sent again; "reset_after": it made one, so two are unknown while the held
# answer is on its way, and the lost one takes its own once that answer came
@pytest.mark.parametrize("fault", ["reset", "reset_after"])
def test_ten_creates_at_once_from_threads_never_take_each_others_jobs_when_one_answer_is_lost(
    emulator: Emulator, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)
    # a client passed as http_client= is the caller's to close: its pool holds sockets to the emulator
    with (
        httpx.Client(transport=SlowTransport()) as http,
        ProductAI(account_key, base_url=emulator.base_url, http_client=http) as client,
    ):

        def create(n: int) -> JobState | BaseException:
            try:
                return client.generate(**{**SHOE, "prompt": f"mug {n}"}).state
            except JobMayExistError as error:
                return error

        with ThreadPoolExecutor(10) as pool:
            outcomes = list(pool.map(create, range(10)))
        _each_its_own_job(outcomes, {job.job_id for job in client.jobs.list().jobs}, emulator, account_key)


@pytest.mark.parametrize("fault", ["reset", "reset_after"])
async def test_ten_creates_gathered_never_take_each_others_jobs_when_one_answer_is_lost(
    emulator: Emulator, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)
    async with (
        httpx.AsyncClient(transport=AsyncSlowTransport()) as http,
        AsyncProductAI(account_key, base_url=emulator.base_url, http_client=http) as client,
    ):
        creates = (client.generate(**{**SHOE, "prompt": f"mug {n}"}) for n in range(10))
        handles = await asyncio.gather(*creates, return_exceptions=True)
        listed = {job.job_id for job in (await client.jobs.list()).jobs}
    outcomes = [h.state if isinstance(h, AsyncJob) else h for h in handles]
    _each_its_own_job(outcomes, listed, emulator, account_key)


def _each_its_own_job(
    outcomes: list[JobState | BaseException], listed: set[str], emulator: Emulator, key: str
) -> None:
    """Every create came back as its own job, each made once: none has another's, none paid twice."""
    assert all(isinstance(outcome, JobState) for outcome in outcomes), outcomes
    ids = [outcome.job_id for outcome in outcomes if isinstance(outcome, JobState)]
    assert len(set(ids)) == len(ids), "a lost create came back as a job another create returned"
    assert set(ids) == listed
    assert sorted(emulator.prompts_made(key)) == sorted(f"mug {n}" for n in range(10))


# -- under the fault mix -------------------------------------------------------------------------

# the mix, and the faults that strike after the job is stored (a careless resend makes a
# second job); stalls shortened so a timeout strikes well within the test
FAULT_MIX = (
    "500:0.1,429:0.05,reset:0.02,slow:0.05@0.3s,garbage:0.02,"
    "reset_after:0.03,502_after:0.03,timeout_after:0.03@2s"
)
MIX_CREATES = 24


def _tally(emulator: Emulator, key: str, outcomes: list[object]) -> list[str]:
    """Each create's job made once, every error a proof of none or a doubt that names its candidates."""
    prompts = emulator.prompts_made(key)
    assert len(prompts) == len(set(prompts)), "a create was paid twice"
    ids = [o.job_id for o in outcomes if isinstance(o, JobState)]
    assert len(ids) == len(set(ids)), "two creates came back as the same job"
    for outcome in outcomes:
        if isinstance(outcome, JobMayExistError):
            assert outcome.candidates, outcome
        else:
            assert isinstance(outcome, JobState | InternalServerError | APIConnectionError), outcome
    return ids


def test_creates_from_threads_under_the_fault_mix_come_back_as_their_jobs_none_made_twice() -> None:
    with Emulator(faults=FAULT_MIX, seed=3, rate_limit=100_000, job_seconds=(1, 2)) as emulator:
        with ProductAI(emulator.api_key, base_url=emulator.base_url, timeout=1.0) as client:

            def create(n: int) -> object:
                try:
                    return client.generate(**{**SHOE, "prompt": f"mug {n}"}).state
                except ProductAIError as error:
                    return error

            with ThreadPoolExecutor(4) as pool:
                outcomes = list(pool.map(create, range(MIX_CREATES)))
        ids = _tally(emulator, emulator.api_key, outcomes)
        assert len(ids) >= MIX_CREATES - 2
        assert emulator.requests()["routes"]["generate"] > MIX_CREATES, "some answers were lost"


async def test_creates_gathered_under_the_fault_mix_come_back_as_their_jobs_none_made_twice() -> None:
    with Emulator(faults=FAULT_MIX, seed=4, rate_limit=100_000, job_seconds=(1, 2)) as emulator:
        async with AsyncProductAI(emulator.api_key, base_url=emulator.base_url, timeout=1.0) as client:
            creates = (client.generate(**{**SHOE, "prompt": f"mug {n}"}) for n in range(MIX_CREATES))
            handles = await asyncio.gather(*creates, return_exceptions=True)
        outcomes = [h.state if isinstance(h, AsyncJob) else h for h in handles]
        ids = _tally(emulator, emulator.api_key, outcomes)
        assert len(ids) >= MIX_CREATES - 2
        assert emulator.requests()["routes"]["generate"] > MIX_CREATES, "some answers were lost"
