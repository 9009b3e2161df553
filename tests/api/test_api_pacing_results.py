"""A job's result (the read that brings an ended job's images or error) is the user's request: it may
take the slots kept for the user's calls, but never goes ahead of a call that waits. Made-up clock."""

from __future__ import annotations

import pytest

from productai_notebook.api.engine.pacing import BACKGROUND, FOREGROUND, RESULT, USER_CALL_SECONDS, Pacer


def paced(limit: int, window: float = 60.0) -> Pacer:
    pacer = Pacer(window)
    pacer.learn_limit(limit, "setting")
    return pacer


def fill(pacer: Pacer, count: int, now: float = 0.0) -> None:
    """`count` of the user's own calls (a batch's creates), all at `now`."""
    for _ in range(count):
        assert pacer.wait_time(FOREGROUND, now) == 0
        pacer.answered(pacer.take(now), now)


def sent_at_once(pacer: Pacer, priority: str, now: float) -> int:
    """How many requests of `priority` go at `now`, one after another, before one must wait."""
    sent = 0
    while pacer.wait_time(priority, now) == 0:
        pacer.answered(pacer.take(now), now)
        sent += 1
    return sent


def test_a_batch_filling_the_window_gets_its_last_images_at_once_not_a_window_later():
    # 30 creates at 0 s; the jobs end at 15 s; 30 reads fill the window: the last 3 take the reserve
    pacer = paced(60)
    fill(pacer, 30)
    assert sent_at_once(pacer, RESULT, 15.0) == 30, "every result goes when its job ends, reserve included"
    assert pacer.wait_time(RESULT, 15.0) == pytest.approx(45.0), "the window is full: the next waits"


def test_progress_checks_still_leave_the_reserve_to_the_user():
    pacer = paced(60)
    fill(pacer, 30)
    assert sent_at_once(pacer, BACKGROUND, 15.0) == 24, "6 slots stay free for the user's next calls"
    assert pacer.wait_time(RESULT, 15.0) == 0, "a result may still take one of them"


def test_with_images_first_off_results_keep_the_reserve_as_progress_checks_do():
    pacer = paced(60)
    pacer.images_first = False
    fill(pacer, 54)
    # the reserve is lent only when it all comes back within USER_CALL_SECONDS: 60 - 3 s
    assert pacer.wait_time(RESULT, 15.0) == pytest.approx(60.0 - USER_CALL_SECONDS - 15.0)


def test_a_429_holds_results_like_every_other_background_request():
    pacer = paced(60)
    pacer.hold_background(7.0, now=100.0)
    assert pacer.wait_time(RESULT, 100.0) == pytest.approx(7.0)
    assert pacer.wait_time(FOREGROUND, 100.0) == 0


def test_while_a_wait_fills_the_window_a_call_from_another_thread_still_goes_first():
    # a script blocked in as_completed lets its polls take every slot; a call made meanwhile from
    # another thread (a progress bar, a second cell's thread) gets the next free slot, not a poll
    pacer = paced(10)
    pacer.user_waits = True
    fill(pacer, 9)
    pacer.foreground_waiting = 1
    assert pacer.wait_time(BACKGROUND, 1.0) > 0
    assert pacer.wait_time(FOREGROUND, 1.0) == 0


class Ticking:
    """A clock that moves `step` seconds each time it is read: a call that must wait sees its turn come."""

    def __init__(self) -> None:
        self.now, self.step = 0.0, 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_a_call_that_must_wait_long_for_the_limit_says_so_once_rather_than_hang_silently(caplog):
    from productai_notebook.api.engine.account import Engine

    clock = Ticking()
    engine = Engine(("http://api", "digest"), clock=clock)
    engine.learn_plan("free")  # 10 a window
    for _ in range(10):  # the window is full: the batch's creates and its images
        engine.observe(engine.acquire(), None)
    clock.step = 20.0
    with caplog.at_level("WARNING", logger="productai_notebook"):
        engine.observe(engine.acquire(), None)
    notices = [r.getMessage() for r in caplog.records if "rate limit" in r.getMessage()]
    assert len(notices) == 1, notices
    assert "waits about" in notices[0] and "client.budget()" in notices[0]


def test_a_call_whose_turn_comes_soon_says_nothing(caplog):
    from productai_notebook.api.engine.account import Engine

    clock = Ticking()
    clock.step = 1.0
    engine = Engine(("http://api", "digest"), clock=clock)
    engine.learn_plan("pro")
    with caplog.at_level("WARNING", logger="productai_notebook"):
        for _ in range(5):
            engine.observe(engine.acquire(), None)
    assert not caplog.records
