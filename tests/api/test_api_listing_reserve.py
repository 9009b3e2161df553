"""Widgets' listing rounds before reads of ends they already show, on a made-up clock (no I/O, no sleeps).

A widget's status comes from the rounds; once a listed end shows, its job's own read only brings
the images. When a batch's creates hold most of the window, the rounds keep their slots and those
reads wait; a script's wait wants results, so there the read goes first.
"""

from __future__ import annotations

import math

import pytest
from api_helpers import job_json
from test_api_pacing import paced, send

from productai_notebook.api import JobHandle, JobState
from productai_notebook.api.engine.account import Engine
from productai_notebook.api.engine.pacing import BACKGROUND, FOREGROUND, Pacer
from productai_notebook.api.engine.reserve import WantedRead, listing_rounds, reads_that_go
from productai_notebook.api.engine.scheduler import Scheduler

ROUND_EVERY = 2.0  # the documented shortest poll interval: one listing a round


def shown_end(job_id: str = "job_1") -> WantedRead:
    """A job whose end a widget already shows from a listing, held by widgets only."""
    return WantedRead(job_id, end_shown=True, waited_on=False)


def one_slot_left(now: float) -> Pacer:
    """Free plan, 10 a window: 1 kept for the user's calls, 8 taken by creates, 1 left for background."""
    pacer = paced(10)
    for _ in range(8):
        send(pacer, now, FOREGROUND)
    assert pacer.wait_time(BACKGROUND, now) == 0 and pacer.spare_background([], now) == 1
    return pacer


def test_with_one_slot_left_a_widgets_round_goes_before_the_read_of_an_end_it_already_shows():
    pacer = one_slot_left(now=0.0)
    rounds = listing_rounds(next_round=0.0, last_expected_end=20.0, interval=ROUND_EVERY, horizon=60.0)
    spare = pacer.spare_background(rounds, 0.0)
    assert spare == 0, "the slot is the next round's"
    assert reads_that_go([shown_end()], spare) == [], "the read waits: its widget already says Completed"
    send(pacer, 0.0, BACKGROUND)  # the round takes the slot


def test_in_a_script_the_read_goes_first_even_with_one_slot_left():
    pacer = one_slot_left(now=0.0)
    waited = WantedRead("job_1", end_shown=True, waited_on=True)  # as_completed holds it
    # whatever rounds are planned, a wait's read is never held back
    rounds = listing_rounds(next_round=0.0, last_expected_end=20.0, interval=ROUND_EVERY, horizon=60.0)
    assert reads_that_go([waited], pacer.spare_background(rounds, 0.0)) == [waited]
    send(pacer, 0.0, BACKGROUND)


def test_a_read_the_status_still_needs_goes_whatever_rounds_are_planned():
    # ended, but no listed summary shows it yet (the listing only left it out): only its read shows the end
    unshown = WantedRead("job_1", end_shown=False, waited_on=False)
    assert reads_that_go([unshown], spare=0) == [unshown]


def test_a_read_held_behind_rounds_for_a_window_waits_no_more():
    held_long = WantedRead("job_1", end_shown=True, waited_on=False, held_long=True)
    assert reads_that_go([held_long], spare=0) == [held_long], "new jobs without pause never starve it"


def test_reads_of_shown_ends_go_as_far_as_the_planned_rounds_leave_room():
    reads = [shown_end(f"job_{n}") for n in range(5)]
    assert reads_that_go(reads, spare=2) == reads[:2]
    assert reads_that_go(reads, spare=math.inf) == reads


def test_rounds_are_planned_until_the_last_shown_job_should_have_ended_and_not_past_one_window():
    assert listing_rounds(10.0, 15.0, interval=2.0, horizon=70.0) == [10.0, 12.0, 14.0, 16.0]
    assert listing_rounds(10.0, 10.0, interval=2.0, horizon=70.0) == [10.0]
    assert listing_rounds(10.0, None, interval=2.0, horizon=70.0) == [], "no shown job runs"
    assert len(listing_rounds(0.0, 600.0, interval=2.0, horizon=60.0)) == 30, "one window ahead at most"


def test_a_round_planned_after_a_slot_leaves_the_window_lets_a_read_go_now():
    pacer = one_slot_left(now=0.0)
    assert pacer.spare_background([5.0], 5.0 - 1.0) == 0
    # the creates leave the window at 60 s: a round at 61 s finds their slots
    assert pacer.spare_background([61.0], 30.0) == 1


def test_no_limit_known_yet_holds_nothing_back_and_a_429_holds_everything():
    pacer = Pacer()
    assert pacer.spare_background([0.0, 2.0], 0.0) == math.inf
    pacer = paced(60)
    pacer.hold_background(5.0, now=0.0)
    assert pacer.spare_background([], 1.0) == 0


def simulate_pro_batch(*, keep_rounds: bool) -> tuple[list[float], list[float]]:
    """30 creates at once at 60 a minute, the jobs ending from 10 s to 30 s, each shown by a widget.

    Rounds every 2 s list every job; each end a round shows wants its job's read. Returns how late
    each end was shown and when the full reads went.
    """
    pacer = paced(60)
    for _ in range(30):
        send(pacer, 0.0, FOREGROUND)
    ends = [10.0 + 20.0 * n / 29 for n in range(30)]
    shown_at: dict[int, float] = {}
    wanted: list[int] = []
    read_at: dict[int, float] = {}
    now = 0.0
    while len(read_at) < len(ends):
        running = [end for n, end in enumerate(ends) if n not in shown_at]
        if running and pacer.wait_time(BACKGROUND, now) == 0:  # a round: one listing
            send(pacer, now, BACKGROUND)
            for n, end in enumerate(ends):
                if end <= now and n not in shown_at:
                    shown_at[n] = now
                    wanted.append(n)
        still = [end for n, end in enumerate(ends) if n not in shown_at]
        rounds = listing_rounds(now + ROUND_EVERY, max(still) if still else None, ROUND_EVERY, now + 60.0)
        spare = pacer.spare_background(rounds, now) if keep_rounds else math.inf
        for read in reads_that_go([shown_end(str(n)) for n in wanted], spare):
            if pacer.wait_time(BACKGROUND, now) > 0:
                break
            send(pacer, now, BACKGROUND)
            wanted.remove(int(read.job_id))
            read_at[int(read.job_id)] = now
        now += ROUND_EVERY
    return [shown_at[n] - end for n, end in enumerate(ends)], list(read_at.values())


def test_a_pro_batch_shown_in_widgets_shows_every_end_within_a_round_and_reads_all_once_the_window_frees():
    lags, reads = simulate_pro_batch(keep_rounds=True)
    assert max(lags) <= ROUND_EVERY, "every end shows at the next round after it"
    assert max(reads) <= 60.0 + 2 * ROUND_EVERY, "every job's images come once the creates leave the window"
    # spending the slots on reads instead would leave later ends unseen until the window frees
    starved, _ = simulate_pro_batch(keep_rounds=False)
    assert max(starved) > 20.0



class Clock:
    def __init__(self, now: float = 1000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def handle(job_id: str, **fields: object) -> JobHandle:
    return JobHandle(JobState.parse(job_json(job_id, **fields)))


@pytest.mark.parametrize("case", ["widgets only", "a wait holds it", "held a window already"])
def test_the_scheduler_holds_back_a_widgets_read_of_a_shown_end_only_while_no_wait_holds_it(case):
    """Two slots left, a shown job still running: the ended job's read waits for the rounds, unless a
    wait (a script) holds that job too, or it already waited one window. Nothing is sent: the choice
    is made before any request."""
    clock = Clock()
    engine = Engine(("https://api.example.test/v1", "digest"), clock=clock)
    engine.learn_plan("free")
    # a batch's creates: 2 background slots are left, room for a round besides one read of each job
    for _ in range(7):
        engine.observe(engine.acquire(), None)
    scheduler = Scheduler(max_backoff=1.0)
    now = clock.now
    ended = handle("job_done", status="completed", progress=100)
    running = handle("job_running", estimated_time_seconds=20)
    follows = [scheduler.new_follow(job, (2.0, 5.0), now) for job in (ended, running)]
    for follow in follows:
        scheduler.add_holder(follow, object(), True, (2.0, 5.0), now, first=True)
    if case == "a wait holds it":
        scheduler.add_holder(follows[0], object(), False, None, now, first=False)
    if case == "held a window already":
        follows[0].behind_rounds_since = now - engine.budget().window
    follows[0].read_due = now  # the listing showed its end: its read is due
    scheduler.round_due = now + 2.0  # the round just went
    actions = scheduler.next_actions(now, follows, engine.turns)
    held = case == "widgets only"
    assert actions.reads == ([] if held else [follows[0]]), "the round's, else a script's or long-held read"
    # a widget whose images wait says so (the driver shows the held ones as queued)
    assert actions.held == ([follows[0]] if held else [])
    assert actions.sleep == pytest.approx(2.0), "until the next round"


def test_the_images_of_the_ends_shown_longest_ago_go_first_once_the_budget_frees():
    """Reads held behind the rounds go oldest-held first, whatever order their jobs were followed in:
    the job that ended first gets its images first."""
    clock = Clock()
    engine = Engine(("https://api.example.test/v1", "digest"), clock=clock)
    engine.learn_plan("pro")
    scheduler = Scheduler(max_backoff=1.0)
    now = clock.now
    jobs = [handle(f"job_{n}", status="completed", progress=100) for n in range(3)]
    follows = [scheduler.new_follow(job, (2.0, 5.0), now) for job in jobs]
    for follow in follows:
        scheduler.add_holder(follow, object(), True, (2.0, 5.0), now, first=True)
        follow.read_due = now
    follows[0].behind_rounds_since = now - 4.0
    follows[1].behind_rounds_since = now - 10.0  # shown ended first
    # follows[2]: its end shows only now
    scheduler.round_due = now + 2.0
    going = scheduler.next_actions(now, follows, engine.turns).reads
    assert [f.job.id for f in going] == ["job_1", "job_0", "job_2"]
