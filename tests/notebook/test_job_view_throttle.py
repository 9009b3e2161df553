"""The throttle between a job's updates and its widget: bursts coalesce, the latest always arrives."""

from __future__ import annotations

import threading

from productai_notebook.notebook._throttle import Throttle


def test_a_burst_sends_the_first_value_now_and_only_the_latest_later():
    delivered: list[int] = []
    arrived = threading.Event()

    def deliver(value: int) -> None:
        delivered.append(value)
        if value == 99:
            arrived.set()

    throttle: Throttle[int] = Throttle(deliver, interval=0.2)
    for value in range(100):
        throttle.submit(value)
    assert arrived.wait(30), "the trailing update never came"
    assert delivered[0] == 0 and delivered[-1] == 99
    assert len(delivered) == 2


def test_flush_sends_the_pending_value_at_once_and_close_drops_it():
    delivered: list[str] = []
    throttle: Throttle[str] = Throttle(delivered.append, interval=60)
    throttle.submit("first")
    throttle.submit("running")
    throttle.submit("completed")
    throttle.flush()
    assert delivered == ["first", "completed"]
    throttle.submit("after")
    throttle.close()
    throttle.flush()
    throttle.submit("closed")
    assert delivered == ["first", "completed"]
