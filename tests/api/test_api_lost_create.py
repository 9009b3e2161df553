"""A paid job is never lost nor paid twice: when a create's answer is lost, the client finds the job.

Against the emulator, which stores the job and then answers badly (a reset, half a body, a 502);
hostile answers it cannot give (a read timeout) come from a scripted server.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from api_helpers import Script, answer, job_json, mock_client

from productai_notebook.api import (
    APIConnectionError,
    AsyncJob,
    AsyncProductAI,
    InsufficientCreditsError,
    JobMayExistError,
    JobPage,
    JobState,
    ProductAI,
    _http,
)
from productai_notebook.api._reconcile import CLOCK_SKEW, MAX_PAGES, Creates, LostCreate
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


# "reset": the lost create made no job (the held one is the only one it could take);
# "reset_after": it made one, so two are unknown while the held answer is on its way
@pytest.mark.parametrize("fault", ["reset", "reset_after"])
def test_ten_creates_at_once_from_threads_never_take_each_others_jobs_when_one_answer_is_lost(
    emulator: Emulator, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)
    http = httpx.Client(transport=SlowTransport())
    with ProductAI(account_key, base_url=emulator.base_url, http_client=http) as client:

        def create(n: int) -> JobState | BaseException:
            try:
                return client.generate(**{**SHOE, "prompt": f"mug {n}"}).state
            except JobMayExistError as error:
                return error

        with ThreadPoolExecutor(10) as pool:
            outcomes = list(pool.map(create, range(10)))
        _own_jobs_or_maybe(outcomes, {job.job_id for job in client.jobs.list().jobs}, fault)


@pytest.mark.parametrize("fault", ["reset", "reset_after"])
async def test_ten_creates_gathered_never_take_each_others_jobs_when_one_answer_is_lost(
    emulator: Emulator, account_key: str, fault: str
) -> None:
    emulator.fail_next(fault)
    http = httpx.AsyncClient(transport=AsyncSlowTransport())
    async with AsyncProductAI(account_key, base_url=emulator.base_url, http_client=http) as client:
        creates = (client.generate(**{**SHOE, "prompt": f"mug {n}"}) for n in range(10))
        handles = await asyncio.gather(*creates, return_exceptions=True)
        listed = {job.job_id for job in (await client.jobs.list()).jobs}
    _own_jobs_or_maybe([h.state if isinstance(h, AsyncJob) else h for h in handles], listed, fault)


def _own_jobs_or_maybe(outcomes: list[JobState | BaseException], listed: set[str], fault: str) -> None:
    """Each create has its own job, or (the lost one only) says its job may exist: none has another's."""
    ids = [outcome.job_id for outcome in outcomes if isinstance(outcome, JobState)]
    maybe = [outcome for outcome in outcomes if isinstance(outcome, JobMayExistError)]
    assert len(ids) + len(maybe) == len(outcomes) and len(maybe) <= 1, outcomes
    assert len(set(ids)) == len(ids), "a lost create came back as a job another create returned"
    assert set(ids) <= listed  # every handle is a job the account has, none paid twice
    assert len(listed) == (9 if fault == "reset" else 10)
    if fault == "reset":  # the lost create made no job: any job it took would be another's
        assert maybe
    else:
        assert maybe or set(ids) == listed


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


SIZE_ONE = {"model": "nanobanana2", "num_images": 1}


def test_a_create_still_waiting_for_its_answer_keeps_the_lost_one_from_claiming_its_job() -> None:
    creates = Creates()
    lost, other = creates.start(SIZE_ONE, SENT), creates.start(SIZE_ONE, SENT)
    creates.lost(lost)
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1]))  # job_0: the lost create's, or the other's whose answer is on its way
    assert creates.sending(lost, before=2)
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(LOST, creates.known_ids(), creates.rivals(lost, before=2, since=search.since))
    assert "1 other create(s) of the same model" in str(caught.value)
    # once the other's answer came, its job is known: the one left is the lost create's
    creates.ended(other, "job_0", SENT)
    search.take(_page([1, 2]))
    rivals = creates.rivals(lost, before=2, since=search.since)
    assert search.outcome(LOST, creates.known_ids(), rivals).job_id == "job_1"


def test_only_creates_that_could_have_made_a_listed_job_count() -> None:
    creates = Creates()
    lost = creates.start(SIZE_ONE, SENT)
    creates.start({"model": "seedream", "num_images": 1}, SENT)  # another model
    creates.start({**SIZE_ONE, "num_images": 2}, SENT)  # another size
    later = creates.start(SIZE_ONE, SENT)  # started after the listing was read
    refused = creates.start(SIZE_ONE, SENT)
    creates.ended(refused, None, SENT)  # a 4xx: no job
    assert creates.rivals(lost, before=3, since=SENT - CLOCK_SKEW) == 0
    assert creates.rivals(lost, before=later.number, since=SENT - CLOCK_SKEW) == 1


def test_a_create_that_ended_unsure_counts_until_its_job_is_too_old_to_be_listed() -> None:
    creates = Creates()
    unsure = creates.start(SIZE_ONE, SENT)
    creates.unsure(unsure, SENT)
    soon = creates.start(SIZE_ONE, SENT + timedelta(seconds=30))
    assert creates.rivals(soon, before=soon.number, since=SENT + timedelta(seconds=30) - CLOCK_SKEW) == 1
    much_later = SENT + 2 * CLOCK_SKEW + timedelta(seconds=1)
    late = creates.start(SIZE_ONE, much_later)  # the unsure one is forgotten now
    assert creates.rivals(late, before=late.number, since=much_later - CLOCK_SKEW) == 1  # (soon)
    creates.ended(soon, "job_soon", much_later)
    assert creates.rivals(late, before=late.number, since=much_later - CLOCK_SKEW) == 0


def test_a_lost_create_waits_for_the_answers_of_the_creates_sent_before_its_search() -> None:
    creates = Creates()
    first, lost, second = (creates.start(SIZE_ONE, SENT) for _ in range(3))
    creates.lost(lost)
    creates.ended(second, "job_second", SENT)
    later = creates.start(SIZE_ONE, SENT)  # started once the search began: not waited for
    answered = threading.Thread(target=creates.ended, args=(first, "job_first", SENT))
    answered.start()
    creates.wait_for_sending(lost, before=3, timeout=60)  # returns when the answer came, not after 60 s
    answered.join()
    assert not creates.sending(lost, before=3) and creates.sending(lost, before=later.number)
    assert creates.known_ids() == {"job_first", "job_second"}
