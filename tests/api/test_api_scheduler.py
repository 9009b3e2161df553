"""The scheduler's rules, on a made-up clock: what following jobs sends next, and when. No I/O, no sleeps.

Each test gives the scheduler the time, the followed jobs and the budget, and checks the actions a
user would see the effect of: a listing round instead of a read per job, the result of a script's
wait before the next round, a widget's progress only while the budget has room, a pushed job left
alone, and failures that back off.
"""

from __future__ import annotations

import pytest
from api_helpers import job_json

from productai_notebook.api import JobHandle, JobState
from productai_notebook.api.engine.account import Engine
from productai_notebook.api.engine.listings import EVERY_JOB, UNFINISHED
from productai_notebook.api.engine.scheduler import (
    GATHER_SECONDS,
    PUSH_FALLBACK_SECONDS,
    RESULT_MISSES,
    Follow,
    Scheduler,
    ended_in_full,
)
from productai_notebook.api.models import JobPage

BAND = (2.0, 5.0)


class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def job(job_id: str, **fields: object) -> JobHandle:
    return JobHandle(JobState.parse(job_json(job_id, **fields)))


def followed(scheduler: Scheduler, handle: JobHandle, now: float, *, shown: bool = True) -> Follow:
    follow = scheduler.new_follow(handle, BAND, now)
    scheduler.add_holder(follow, object(), shown, BAND, now, first=True)
    return follow


def listing(*items: dict) -> tuple[JobPage, dict]:
    raw = {"jobs": list(items), "total": len(items), "limit": 100, "offset": 0, "has_more": False}
    return JobPage.parse(raw), raw


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def engine(clock: Clock) -> Engine:
    engine = Engine(("https://api.example.test/v1", "digest"), clock=clock)
    engine.learn_plan("pro")  # 60 a window
    return engine


def test_one_job_alone_is_read_on_its_own_at_its_cadence(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follow = followed(scheduler, job("job_1", estimated_time_seconds=20), clock.now)
    first = scheduler.next_actions(clock.now, [follow], engine.turns)
    assert first.listings == () and first.reads == []
    assert first.sleep == pytest.approx(5.0), "the band's top: its end is 20 s away"
    clock.now += 5.0
    assert scheduler.next_actions(clock.now, [follow], engine.turns).reads == [follow]
    assert not follow.for_result, "15 s before its end: news of its progress, which keeps the reserve"
    scheduler.read_answered(clock.now, follow, follow.job.state)
    follow.reading = False
    clock.now += 15.0
    assert scheduler.next_actions(clock.now, [follow], engine.turns).reads == [follow]
    assert follow.for_result, "at its expected end: its result, which may take the reserve"


def test_two_jobs_cost_one_listing_a_round_and_an_end_it_shows_is_then_read_for_its_images(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    jobs = [job("job_1", estimated_time_seconds=20), job("job_2", estimated_time_seconds=20)]
    follows = [followed(scheduler, handle, clock.now) for handle in jobs]
    gathering = scheduler.next_actions(clock.now, follows, engine.turns)
    assert gathering.listings == () and gathering.sleep == GATHER_SECONDS, "shown together: weighed together"
    clock.now += GATHER_SECONDS
    actions = scheduler.next_actions(clock.now, follows, engine.turns)
    assert actions.listings == (EVERY_JOB,) and actions.reads == [], "one listing, not a read per job"
    assert actions.sleep == 0, "the reads are weighed right after the round"
    page, _ = listing(job_json("job_2", status="processing", progress=40),
                      job_json("job_1", status="completed", progress=100))

    def apply(follow, news):
        summary = news.summaries.get(follow.job.id)
        if summary is not None:
            follow.job.offer_state(summary)

    news = scheduler.round_answered(clock.now, follows, {EVERY_JOB: page}, apply)
    assert news.ended == ["job_1"]
    after = scheduler.next_actions(clock.now, follows, engine.turns)
    assert after.listings == () and after.reads == [follows[0]], "the ended job's images, at once"
    assert follows[0].for_result, "its read is the job's result: it may take the user's reserve"
    assert 2.0 <= after.sleep <= 5.0, "then the next round, within the band"


def test_while_a_waits_result_is_being_read_the_next_round_waits(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = [followed(scheduler, job(f"job_{n}"), clock.now, shown=False) for n in range(2)]
    follows[0].job.offer_state(JobState.parse(job_json("job_0", status="completed", progress=100, images=[])))
    follows[0].reading = True  # a script's wait holds it: its result first
    actions = scheduler.next_actions(clock.now, follows, engine.turns)
    assert actions.listings == (), "no round while a result is read (its answer asks again)"


def test_a_widget_reads_its_progress_only_when_listings_lack_it_and_the_budget_has_room(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = [followed(scheduler, job(f"job_{n}"), clock.now) for n in range(2)]
    scheduler.round_due = clock.now + 2.0
    for follow in follows:
        follow.read_due = clock.now
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == [], "listings carry progress"
    items = [{k: v for k, v in job_json(f"job_{n}").items() if k != "progress"} for n in range(2)]
    _, raw = listing(*items)
    scheduler.listing_answered(raw)  # this server lists no progress
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == follows
    assert not any(f.for_result for f in follows), "a bar's progress is no result: it keeps the reserve"
    for follow in follows:
        follow.reading = False
    for _ in range(30):  # half the window used: the budget has no room for bars
        engine.observe(engine.acquire(), None)
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == []


def test_a_job_whose_end_is_pushed_is_read_only_as_a_slow_fallback(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    handle = job("job_1", estimated_time_seconds=1)
    handle.push_expected = True
    follow = followed(scheduler, handle, clock.now)
    actions = scheduler.next_actions(clock.now, [follow], engine.turns)
    assert actions.sleep == pytest.approx(PUSH_FALLBACK_SECONDS)


def test_failed_rounds_and_reads_back_off(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = [followed(scheduler, job(f"job_{n}"), clock.now) for n in range(2)]
    scheduler.round_failed(clock.now)
    first = scheduler.round_due - clock.now
    scheduler.round_failed(clock.now)
    assert scheduler.round_due - clock.now > first, "each failure waits longer"
    assert scheduler.next_actions(clock.now, follows, engine.turns).listings == ()
    scheduler.read_failed(clock.now, follows[0])
    scheduler.read_failed(clock.now, follows[0])
    assert follows[0].read_due > clock.now and follows[0].failures == 2


def test_a_server_whose_page_of_every_job_misses_some_is_asked_for_the_unfinished_ones(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = [followed(scheduler, job(f"job_{n}"), clock.now) for n in range(2)]
    clock.now += GATHER_SECONDS
    assert scheduler.next_actions(clock.now, follows, engine.turns).listings == (EVERY_JOB,)
    # neither job listed, on a page that is not the whole list
    page = JobPage(jobs=(), total=500, limit=100, offset=0, has_more=True)
    scheduler.round_answered(clock.now, follows, {EVERY_JOB: page}, lambda follow, news: None)
    assert all(f.uncovered for f in follows), "read on their own meanwhile"
    clock.now = scheduler.round_due
    assert scheduler.next_actions(clock.now, follows, engine.turns).listings == UNFINISHED


def after_creates(engine: Engine, clock: Clock, plan: str, creates: int) -> tuple[Scheduler, list[Follow]]:
    """A batch's `creates` on `plan`, then two shown jobs ending 20 and 30 s on, gathered."""
    engine.learn_plan(plan)
    for _ in range(creates):
        engine.observe(engine.acquire(), None)
    scheduler = Scheduler(max_backoff=30.0)
    jobs = [job("job_1", estimated_time_seconds=20), job("job_2", estimated_time_seconds=30)]
    follows = [followed(scheduler, handle, clock.now) for handle in jobs]
    clock.now += GATHER_SECONDS
    return scheduler, follows


def test_when_the_window_holds_no_round_besides_one_read_of_each_job_each_is_read_at_its_end(clock, engine):
    # a batch's creates: 2 requests of the window are left, for 2 jobs and a round
    scheduler, follows = after_creates(engine, clock, "free", 8)
    actions = scheduler.next_actions(clock.now, follows, engine.turns)
    assert actions.listings == () and actions.reads == [], "no round: it would push a result a window on"
    assert actions.sleep is not None and actions.sleep > 15, "the first read at the first expected end"
    clock.now += actions.sleep
    at_its_end = scheduler.next_actions(clock.now, follows, engine.turns)
    assert at_its_end.reads == [follows[0]] and at_its_end.held == [], "the first job's one read, never held"
    assert follows[0].for_result, "the one read at its end is for its result"


def test_ended_in_full_is_one_rule_for_waits_widgets_and_the_tracker():
    listed = JobState.parse(job_json("job_1", status="completed", progress=100))
    assert listed.is_summary and not ended_in_full(listed, read_whole=False), "a listing's summary"
    assert ended_in_full(listed, read_whole=True), "its own read found no image: that is all there is"
    assert not ended_in_full(JobState.parse(job_json("job_1")), read_whole=True), "still running"


def test_a_failed_request_leaves_its_jobs_connection_as_a_widget_should_say_it():
    from productai_notebook.api import APIConnectionError, AuthenticationError, InternalServerError
    from productai_notebook.api.engine.connection import IDLE, RECONNECTING
    from productai_notebook.api.engine.scheduler import connection_after, ends_following

    refused = AuthenticationError(401, "invalid_api_key", "bad key")
    assert ends_following(refused) and connection_after(refused) == IDLE
    assert connection_after(APIConnectionError("unreachable")) == RECONNECTING == "reconnecting"
    assert connection_after(InternalServerError(500, "internal", "oops")) is None, "keeps trying"


def test_each_failed_round_doubles_the_wait_up_to_the_cap_and_an_answer_starts_over(clock):
    scheduler = Scheduler(max_backoff=2.0)
    waits = []
    for _ in range(3):
        scheduler.round_failed(clock.now)
        waits.append(scheduler.round_due - clock.now)
    assert 0.25 <= waits[0] <= 0.5, "the first retry of a round comes within half a second"
    assert 0.5 <= waits[1] <= 1.0 and 1.0 <= waits[2] <= 2.0, "each failure doubles the wait"
    for _ in range(5):
        scheduler.round_failed(clock.now)
    assert scheduler.round_due - clock.now <= 2.0, "never longer than the client's max backoff"
    follows = [followed(scheduler, job(f"job_{n}"), clock.now) for n in range(2)]
    scheduler.round_answered(clock.now, follows, {EVERY_JOB: listing()[0]}, lambda follow, news: None)
    scheduler.round_failed(clock.now)
    assert scheduler.round_due - clock.now <= 0.5, "after an answer, a new failure starts over short"


def test_each_failed_read_doubles_the_jobs_wait_up_to_the_cap(clock):
    scheduler = Scheduler(max_backoff=2.0)
    follow = followed(scheduler, job("job_1"), clock.now)
    waits = []
    for _ in range(8):
        scheduler.read_failed(clock.now, follow)
        waits.append(follow.read_due - clock.now)
    assert 0.25 <= waits[0] <= 0.5, "the first retry of a read comes within half a second"
    assert 0.5 <= waits[1] <= 1.0, "the second waits twice as long"
    assert max(waits) <= 2.0, "never longer than the client's max backoff"


def _offer_news(follow, news):
    for states in (news.running, news.summaries):
        if follow.job.id in states:
            follow.job.offer_state(states[follow.job.id])


def test_a_job_gone_from_the_whole_list_is_read_at_once_for_its_end(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = [followed(scheduler, job(f"job_{n}"), clock.now) for n in range(2)]
    clock.now += GATHER_SECONDS
    page, _ = listing(job_json("job_1", progress=50))  # the whole list: job_0 is no longer in it
    news = scheduler.round_answered(clock.now, follows, {EVERY_JOB: page}, _offer_news)
    assert news.ended == ["job_0"]
    actions = scheduler.next_actions(clock.now, follows, engine.turns)
    assert actions.reads == [follows[0]], "its own read says how it ended, without waiting a round"


def test_a_job_older_than_a_newest_first_page_reaches_is_known_ended_by_its_absence(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = [followed(scheduler, job(f"job_{n}", created_at="2024-01-15T10:30:00Z"), clock.now)
               for n in range(2)]
    clock.now += GATHER_SECONDS
    items = [job_json("job_1", created_at="2024-01-15T10:30:00Z"),
             job_json("job_old", status="completed", created_at="2024-01-14T10:30:00Z")]
    page = JobPage.parse({"jobs": items, "total": 500, "limit": 100, "offset": 0, "has_more": True})
    news = scheduler.round_answered(clock.now, follows, {EVERY_JOB: page}, _offer_news)
    assert news.ended == ["job_0"] and news.uncovered == [], "the page reaches past its creation"
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == [follows[0]]


def test_rounds_come_sooner_as_listed_progress_shows_the_jobs_near_their_end(clock):
    scheduler = Scheduler(max_backoff=30.0)
    jobs = [job(f"job_{n}", progress=0, estimated_time_seconds=60) for n in range(2)]
    follows = [followed(scheduler, handle, clock.now) for handle in jobs]
    for progress in (40, 80):
        clock.now += 4.0
        page, _ = listing(*(job_json(f"job_{n}", progress=progress) for n in range(2)))
        scheduler.round_answered(clock.now, follows, {EVERY_JOB: page}, _offer_news)
    assert scheduler.round_due - clock.now == pytest.approx(2.0), "10 %/s, 20 % left: the band's bottom"


def _widgets_due(scheduler, clock):
    follows = [followed(scheduler, job(f"job_{n}"), clock.now) for n in range(2)]
    scheduler.round_due = clock.now + 2.0
    for follow in follows:
        follow.read_due = clock.now
    return follows


def test_whether_listings_carry_progress_is_learned_from_each_answer(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = _widgets_due(scheduler, clock)
    bare = {k: v for k, v in job_json("job_0").items() if k != "progress"}
    ended = {k: v for k, v in job_json("job_9", status="completed").items() if k != "progress"}
    scheduler.listing_answered(listing(job_json("job_1", progress=30), ended)[1])
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == [], (
        "an ended item without progress says nothing about the bars")
    scheduler.listing_answered(listing(bare)[1])
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == follows, "bars read on their own"
    scheduler.listing_answered(listing(job_json("job_1", progress=30))[1])
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == [], "listings carry it again"
    for odd in (["not", "a", "page"], None, {"total": 0}, {"jobs": ["odd item", bare | {"progress": 1}]}):
        scheduler.listing_answered(odd)  # an odd answer never breaks following
        assert scheduler.next_actions(clock.now, follows, engine.turns).reads == [], f"{odd!r}: nothing lacks"


def test_a_widgets_bar_is_read_while_under_half_the_window_is_used(clock, engine):
    scheduler = Scheduler(max_backoff=30.0)
    follows = _widgets_due(scheduler, clock)
    scheduler.listing_answered(listing({k: v for k, v in job_json("job_0").items() if k != "progress"})[1])
    for _ in range(29):  # 29 of 60: still room for bars
        engine.observe(engine.acquire(), None)
    assert scheduler.next_actions(clock.now, follows, engine.turns).reads == follows


def test_a_shown_end_is_read_at_once_when_no_widget_shows_a_job_still_running(clock, engine):
    engine.learn_plan("free")
    for _ in range(7):  # a batch's creates: the rounds would need the last slots, were any due
        engine.observe(engine.acquire(), None)
    scheduler = Scheduler(max_backoff=1.0)
    ended = followed(scheduler, job("job_done", status="completed", progress=100), clock.now)
    waited = followed(scheduler, job("job_running", estimated_time_seconds=20), clock.now, shown=False)
    ended.read_due = clock.now  # the listing showed its end: its read is due
    scheduler.round_due = clock.now + 2.0
    actions = scheduler.next_actions(clock.now, [ended, waited], engine.turns)
    assert actions.reads == [ended] and actions.held == [], (
        "no widget waits for a round: the shown end's images come now, not queued")


def test_when_only_the_users_reserve_is_left_no_round_goes_and_each_job_is_read_at_its_end(clock, engine):
    # 60 a window, of which progress checks leave 6 to the user's calls: 4 slots left, all reserved
    scheduler, follows = after_creates(engine, clock, "pro", 56)
    actions = scheduler.next_actions(clock.now, follows, engine.turns)
    assert actions.listings == (), "a round would wait a window for a slot outside the reserve"
    clock.now += actions.sleep
    at_its_end = scheduler.next_actions(clock.now, follows, engine.turns)
    assert at_its_end.reads == [follows[0]], "its one read at its end"
    assert follows[0].for_result, "its result, which may take the reserve"


def test_a_job_still_running_at_its_expected_end_time_after_time_is_read_next_as_news(clock, engine):
    scheduler, follows = after_creates(engine, clock, "free", 8)
    clock.now += scheduler.next_actions(clock.now, follows, engine.turns).sleep
    for miss in range(RESULT_MISSES):  # an estimate in whole seconds: a read or two early
        actions = scheduler.next_actions(clock.now, follows, engine.turns)
        assert follows[0] in actions.reads and follows[0].for_result, f"read {miss + 1} is for its result"
        scheduler.read_answered(clock.now, follows[0], JobState.parse(job_json("job_1", status="processing")))
        follows[0].reading = False
        clock.now += 10.0  # the window still holds the creates: still no round
    again = scheduler.next_actions(clock.now, follows, engine.turns)
    assert follows[0] in again.reads and not follows[0].for_result, "an estimate was wrong: no more reserve"


def test_the_last_job_of_a_batch_that_filled_the_window_is_read_once_at_its_end(clock, engine):
    # the batch's other jobs are done; the creates still fill all but the user's reserve: a read of
    # its progress would queue for a window behind that reserve, and hold its result behind it
    scheduler, follows = after_creates(engine, clock, "pro", 56)
    last = [follows[1]]
    actions = scheduler.next_actions(clock.now, last, engine.turns)
    assert actions.reads == [] and actions.sleep is not None and actions.sleep > 25, "no read of its progress"
    clock.now += actions.sleep
    at_its_end = scheduler.next_actions(clock.now, last, engine.turns)
    assert at_its_end.reads == last and last[0].for_result, "its result, which may take the reserve"
