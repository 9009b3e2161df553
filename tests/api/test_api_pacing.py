"""Pacing one account's requests on a made-up clock: the window, priorities, a 429, the limit's source."""

from __future__ import annotations

import threading

import httpx
import pytest

from productai_notebook.api.engine.account import Engine
from productai_notebook.api.engine.pacing import BACKGROUND, FOREGROUND, RESULT, USER_CALL_SECONDS, Pacer
from productai_notebook.api.errors import RateLimitError


def paced(limit: int, window: float = 60.0) -> Pacer:
    pacer = Pacer(window)
    pacer.learn_limit(limit, "setting")
    return pacer


def send(pacer: Pacer, now: float, priority: str = FOREGROUND) -> None:
    assert pacer.wait_time(priority, now) == 0, f"a {priority} request should go at {now}"
    pacer.answered(pacer.take(now), now)


def test_the_window_holds_the_limit_and_frees_a_slot_one_window_after_each_answer():
    pacer = paced(10)
    for second in range(10):
        send(pacer, float(second))
    assert pacer.wait_time(FOREGROUND, 10.0) == pytest.approx(50.0), "the first request leaves at 60 s"
    assert pacer.wait_time(FOREGROUND, 59.9) == pytest.approx(0.1)
    send(pacer, 60.0)
    assert pacer.wait_time(FOREGROUND, 60.0) == pytest.approx(1.0), "the next one leaves at 61 s"


def test_a_slot_is_counted_until_one_window_after_the_answer_not_the_send():
    pacer = paced(1, window=10.0)
    sent = pacer.take(0.0)
    pacer.answered(sent, 4.0)  # a slow answer: the server counted it somewhere in 0..4 s
    assert pacer.wait_time(FOREGROUND, 10.0) == pytest.approx(4.0)
    assert pacer.wait_time(FOREGROUND, 14.0) == 0


def test_background_polls_leave_a_reserve_for_the_users_calls():
    pacer = paced(10)
    for second in range(9):
        send(pacer, float(second), BACKGROUND)
    assert pacer.wait_time(BACKGROUND, 9.0) > 0, "the tenth slot is the user's"
    send(pacer, 9.0, FOREGROUND)


@pytest.mark.parametrize("priority", [BACKGROUND, RESULT], ids=["progress", "a shown job's images"])
def test_background_never_jumps_a_waiting_user_call(priority):
    pacer = paced(10)
    for second in range(5):
        send(pacer, float(second), BACKGROUND)
    pacer.foreground_waiting = 1
    assert pacer.wait_time(priority, 5.0) > 0, "a user's call waits: background yields"
    pacer.foreground_waiting = 0
    assert pacer.wait_time(priority, 5.0) == 0


def test_a_429_pauses_background_work_until_retry_after_but_not_the_users_calls():
    pacer = paced(60)
    pacer.hold_background(7.0, now=100.0)
    assert pacer.wait_time(BACKGROUND, 100.0) == pytest.approx(7.0)
    assert pacer.wait_time(FOREGROUND, 100.0) == 0
    assert pacer.wait_time(BACKGROUND, 107.0) == 0


def test_the_limit_comes_from_headers_over_the_plan_over_the_setting():
    pacer = Pacer()
    assert pacer.limit is None and pacer.wait_time(FOREGROUND, 0.0) == 0, "unknown: nothing held back"
    pacer.learn_limit(30, "setting")
    assert (pacer.limit, pacer.source) == (30, "setting")
    pacer.learn_limit(60, "plan")
    assert (pacer.limit, pacer.source) == (60, "plan")
    pacer.learn_limit(40, "headers")
    pacer.learn_limit(600, "plan")  # the plan never overrules what the server said
    pacer.learn_limit(5, "setting")
    assert (pacer.limit, pacer.source) == (40, "headers")


def test_requests_the_server_counted_beyond_ours_fill_the_window():
    pacer = paced(10)
    sent = pacer.take(0.0)
    pacer.answered(sent, 0.1)
    # the server counts 4 of this key's requests: 3 came from another process, the oldest leaves in 20 s
    pacer.learn_remaining(10, 6, sent_at=0.0, now=0.1, reset=20)
    assert pacer.used(0.1) == 4
    for _ in range(6):
        send(pacer, 0.2)
    assert pacer.wait_time(FOREGROUND, 0.2) == pytest.approx(19.9), "the others leave when the server says"


def test_our_own_requests_in_flight_are_not_mistaken_for_another_process():
    pacer = paced(10)
    first, second = pacer.take(0.0), pacer.take(0.0)
    pacer.answered(first, 0.1)
    pacer.learn_remaining(10, 9, sent_at=0.0, now=0.1)  # the server had not seen the second yet
    pacer.answered(second, 0.1)
    assert pacer.used(0.1) == 2


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def answer(status: int = 200, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers)


def test_the_engine_learns_the_limit_from_headers_and_a_429_holds_background_work():
    clock = Clock()
    engine = Engine(("http://api", "digest"), clock=clock)
    engine.observe(engine.acquire(), answer(**{"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "59"}))
    assert engine.budget().limit == 60 and engine.budget().source == "headers"
    assert not engine.plan_wanted(), "the headers said it: no need for /v1/me"
    engine.observe(engine.acquire(), answer(429, **{"Retry-After": "5"}))
    assert engine.rate_limited == 1
    assert engine.background_wait() == pytest.approx(5.0)
    assert engine.budget().background_held_for == pytest.approx(5.0)


def test_a_429_without_headers_makes_the_engine_ask_for_the_plan_once():
    engine = Engine(("http://api", "digest"), clock=Clock())
    engine.observe(engine.acquire(), answer())
    assert not engine.plan_wanted(), "no sign yet that the limit matters"
    engine.observe(engine.acquire(), answer(429))
    assert engine.plan_wanted() and not engine.plan_wanted()
    engine.learn_plan("pro")
    assert (engine.budget().limit, engine.budget().source) == (60, "plan")


def test_without_headers_the_plan_is_asked_before_the_strictest_plans_limit_could_be_passed():
    engine = Engine(("http://api", "digest"), clock=Clock())
    for _ in range(8):
        engine.observe(engine.acquire(), answer())
    assert not engine.plan_wanted(), "8 requests a window pass every plan's limit"
    engine.observe(engine.acquire(), answer())
    assert engine.plan_wanted() and not engine.plan_wanted(), "asked once, before the 10th request"


def test_a_users_call_gives_up_with_a_rate_limit_error_rather_than_wait_past_its_deadline():
    clock = Clock()
    engine = Engine(("http://api", "digest"), clock=clock)
    engine.learn_plan("free")
    for _ in range(10):
        engine.observe(engine.acquire(), None)
    with pytest.raises(RateLimitError) as caught:
        engine.acquire(deadline=clock.now + 30)
    assert caught.value.retry_after == pytest.approx(60.0)


def test_a_stopped_background_request_stops_waiting_for_its_turn():
    engine = Engine(("http://api", "digest"), clock=Clock())
    stop = threading.Event()
    stop.set()
    with pytest.raises(Exception, match="stopped"):
        engine.acquire(background=stop)


# -- the reserve, lent ---------------------------------------------------------------------------


def test_while_the_user_is_blocked_in_a_wait_its_polls_may_fill_the_whole_window():
    pacer = paced(10)
    for second in range(9):
        send(pacer, float(second), BACKGROUND)
    assert pacer.wait_time(BACKGROUND, 9.0) > 0, "no wait: the reserved slot is the user's"
    pacer.user_waits = True
    send(pacer, 9.0, BACKGROUND)  # the reserved slot: the wait is the user's own call
    assert pacer.wait_time(BACKGROUND, 9.0) == pytest.approx(51.0), "then it waits as the user would"


def test_a_reserved_slot_is_lent_only_when_a_slot_frees_for_the_user_within_a_few_seconds():
    pacer = paced(10)
    for second in range(9):
        send(pacer, float(second), BACKGROUND)
    # the oldest request leaves at 60 s: the reserved slot is lent USER_CALL_SECONDS before
    assert pacer.wait_time(BACKGROUND, 20.0) == pytest.approx(60.0 - USER_CALL_SECONDS - 20.0)
    send(pacer, 60.0 - USER_CALL_SECONDS, BACKGROUND)
    # a user's call now waits no longer than USER_CALL_SECONDS
    assert pacer.wait_time(FOREGROUND, 60.0 - USER_CALL_SECONDS) == pytest.approx(USER_CALL_SECONDS)


def test_after_a_burst_leaves_the_window_background_takes_all_but_the_users_next_slot():
    # 10 creates left together at 0 s; at 60 s every slot is free and 10 reads wait
    pacer = paced(10)
    for _ in range(10):
        send(pacer, 0.0)
    sent = 0
    while pacer.wait_time(BACKGROUND, 60.0) == 0:
        send(pacer, 60.0, BACKGROUND)
        sent += 1
    assert sent == 9, "one slot stays free for the user's next call, the reserve's other one is lent"
    assert pacer.wait_time(FOREGROUND, 60.0) == 0


def test_the_lent_slot_counts_requests_at_the_edge_of_the_look_ahead_as_still_held():
    pacer = paced(2, window=10.0)  # the reserve is one slot
    send(pacer, 0.0, BACKGROUND)
    # at 10 - USER_CALL_SECONDS the only request leaves exactly USER_CALL_SECONDS later: lent then
    assert pacer.wait_time(BACKGROUND, 1.0) == pytest.approx(10.0 - USER_CALL_SECONDS - 1.0)
    assert pacer.wait_time(BACKGROUND, 10.0 - USER_CALL_SECONDS - 0.01) > 0
