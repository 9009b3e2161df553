"""The one timer thread: calls made later in time order, cancellable, on a clock the tests drive."""

from __future__ import annotations

import logging
import sys
import threading

import pytest
from fake_clock import FakeClock

from productai_notebook.notebook._throttle import Throttle
from productai_notebook.notebook._timers import Timers, process_timers


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timers(clock: FakeClock) -> Timers:
    return Timers(clock=clock)


def test_calls_run_once_their_time_comes_earliest_first_and_in_the_order_asked(clock, timers):
    ran: list[str] = []
    timers.call_later(2.0, lambda: ran.append("late"))
    timers.call_later(1.0, lambda: ran.append("first"))
    timers.call_later(1.0, lambda: ran.append("second"))
    clock.now = 0.5
    timers.run_due()
    assert ran == [] and timers.seconds_to_next() == 0.5
    clock.now = 1.0
    timers.run_due()
    assert ran == ["first", "second"] and timers.seconds_to_next() == 1.0
    clock.now = 5.0
    timers.run_due()
    timers.run_due()
    assert ran == ["first", "second", "late"] and timers.seconds_to_next() is None


def test_a_cancelled_call_never_runs_and_keeps_nobody_waiting(clock, timers):
    ran: list[str] = []
    timers.call_later(1.0, lambda: ran.append("cancelled")).cancel()
    assert timers.seconds_to_next() is None
    kept = timers.call_later(3.0, lambda: ran.append("kept"))
    timers.call_later(2.0, lambda: ran.append("also cancelled")).cancel()
    assert timers.seconds_to_next() == 3.0
    clock.now = 3.0
    timers.run_due()
    kept.cancel()  # too late: it ran
    assert ran == ["kept"]


def test_a_call_that_fails_is_logged_and_the_others_still_run(clock, timers, caplog):
    ran: list[str] = []
    timers.call_later(0.0, lambda: 1 / 0)
    timers.call_later(0.0, lambda: sys.exit(1))  # a thread's way out: not the timer thread's
    timers.call_later(0.0, lambda: ran.append("after"))
    with caplog.at_level(logging.ERROR):
        timers.run_due()
    assert ran == ["after"] and "ZeroDivisionError" in caplog.text


def test_the_process_runs_every_call_on_one_thread():
    ran: list[str] = []
    done = threading.Event()
    timers = process_timers()
    for n in range(50):
        timers.call_later(0.001 * (n % 5), lambda n=n: ran.append(threading.current_thread().name))
    timers.call_later(0.01, done.set)
    assert done.wait(30), "the timer thread never ran the calls"
    assert set(ran) == {"productai-timers"} and len(ran) == 50
    assert [t.name for t in threading.enumerate()].count("productai-timers") == 1


def test_a_throttle_sends_a_burst_first_at_once_and_its_latest_when_the_interval_ends(clock, timers):
    delivered: list[int] = []
    throttle: Throttle[int] = Throttle(delivered.append, interval=0.25, timers=timers)
    throttle.submit(0)
    clock.now = 0.1
    for value in range(1, 6):
        throttle.submit(value)
    assert delivered == [0] and timers.seconds_to_next() == pytest.approx(0.15)
    clock.now = 0.24
    timers.run_due()
    assert delivered == [0]
    clock.now = 0.25
    timers.run_due()
    assert delivered == [0, 5]
    clock.now = 0.3
    throttle.submit(6)  # within the interval of the last delivery: waits for its end
    assert delivered == [0, 5]
    clock.now = 0.5
    timers.run_due()
    assert delivered == [0, 5, 6]
    clock.now = 1.0
    throttle.submit(7)  # a quiet while later: at once
    assert delivered == [0, 5, 6, 7] and timers.seconds_to_next() is None


def test_a_closed_throttle_leaves_nothing_to_run(clock, timers):
    delivered: list[int] = []
    throttle: Throttle[int] = Throttle(delivered.append, interval=0.25, timers=timers)
    throttle.submit(0)
    throttle.submit(1)
    throttle.close()
    assert timers.seconds_to_next() is None
    clock.now = 1.0
    timers.run_due()
    assert delivered == [0]
