"""The pacer at its edges, on a made-up clock: a request leaving exactly now, a limit learned twice,
the server's count at zero, a planned round exactly one window ahead. Each test is a moment where
one comparison the other way round would send a request the server refuses, or hold one for nothing."""

from __future__ import annotations

import pytest

from productai_notebook.api.engine.pacing import BACKGROUND, FOREGROUND, USER_CALL_SECONDS, Budget, Pacer


def paced(limit: int, window: float = 60.0) -> Pacer:
    pacer = Pacer(window)
    pacer.learn_limit(limit, "setting")
    return pacer


def send(pacer: Pacer, now: float, priority: str = FOREGROUND) -> None:
    assert pacer.wait_time(priority, now) == 0
    pacer.answered(pacer.take(now), now)


def test_background_goes_at_the_moment_requests_leave_the_window_not_a_look_ahead_later():
    pacer = paced(10)  # one slot kept for the user
    for at in (0.0, 0.0, *[30.0] * 8):
        send(pacer, at)
    # the window is full until 60 s, when two leave at once: then background is under its cap
    assert pacer.wait_time(BACKGROUND, 40.0) == pytest.approx(20.0)


def test_a_full_window_is_never_lent_however_soon_it_frees():
    pacer = paced(10)
    for second in range(10):
        send(pacer, float(second))
    # full until 60 s, and requests leave every second after: still nothing goes before 60 s
    assert pacer.wait_time(BACKGROUND, 58.0) == pytest.approx(2.0)


def test_a_limit_from_the_same_source_again_replaces_the_old_one():
    pacer = Pacer()
    pacer.learn_limit(40, "headers")
    pacer.learn_limit(50, "headers")
    assert pacer.limit == 50
    pacer.learn_limit(0, "headers")
    assert pacer.limit == 50, "a limit under one request is no limit"


def test_the_servers_count_at_zero_remaining_fills_the_window_with_the_others_requests():
    pacer = paced(10)
    pacer.learn_remaining(limit=10, remaining=0, sent_at=0.0, now=0.0, reset=30)
    assert pacer.used(0.0) == 10
    assert pacer.wait_time(FOREGROUND, 0.0) == pytest.approx(30.0), "they leave when the server said"


def test_a_reset_of_zero_frees_the_others_slots_at_once():
    pacer = paced(10)
    pacer.learn_remaining(limit=10, remaining=0, sent_at=0.0, now=5.0, reset=0)
    assert pacer.wait_time(FOREGROUND, 5.0) == 0


def test_our_request_sent_exactly_one_window_before_is_not_counted_as_ours_by_the_server():
    pacer = paced(10)
    send(pacer, 0.0)
    # the server's count, for a request sent at 60 s: ours from 0 s left its window exactly then
    pacer.learn_remaining(limit=10, remaining=8, sent_at=60.0, now=60.0)
    assert pacer.used(60.0) == 2, "ours left; two others' remain"


def test_a_planned_round_exactly_now_keeps_its_slot_and_rounds_a_window_ahead_do_not():
    pacer = paced(10)  # 9 for background, one reserved
    for _ in range(7):
        send(pacer, 0.0, BACKGROUND)
    assert pacer.spare_background([10.0], now=10.0) == 1, "the round planned now needs one of the two"
    assert pacer.spare_background([70.0] * 9, now=10.0) == 2, "rounds a window ahead find today's slots free"


def test_rounds_planned_in_turn_each_need_a_slot_of_their_own():
    pacer = paced(10)
    for _ in range(5):
        send(pacer, 0.0, BACKGROUND)
    assert pacer.spare_background([20.0, 30.0], now=10.0) == 2


def test_a_request_that_leaves_exactly_when_a_round_is_planned_frees_its_slot_for_it():
    pacer = paced(10)
    for at in (0.0, 0.0, 10.0, 10.0, 10.0):
        send(pacer, at, BACKGROUND)
    # at 60 s the two sent at 0 s leave: the round planned then finds one of theirs
    assert pacer.spare_background([60.0], now=10.0) == 4
    assert pacer.spare_background([59.9], now=10.0) == 3


def test_the_lent_slot_comes_back_within_the_promised_seconds():
    pacer = paced(10)
    for second in range(9):
        send(pacer, float(second), BACKGROUND)
    lent_at = 60.0 - USER_CALL_SECONDS
    assert pacer.wait_time(BACKGROUND, lent_at) == 0
    send(pacer, lent_at, BACKGROUND)
    assert pacer.wait_time(FOREGROUND, lent_at) == pytest.approx(USER_CALL_SECONDS)


def _budget(**changes: object) -> Budget:
    fields: dict[str, object] = dict(
        limit=60, source="plan", window=60.0, used=12, foreground_waiting=0, background_waiting=3,
        background_held_for=0.0, reads_behind_rounds=0,
    )
    fields.update(changes)
    return Budget(**fields)  # type: ignore[arg-type]


def test_the_budget_says_the_limit_the_window_and_only_what_is_held_back():
    text = _budget().describe()
    assert "60" in text and "12" in text and "3" in text
    assert len(text.splitlines()) == 3
    plain = _budget().describe()
    busy = _budget(foreground_waiting=2, reads_behind_rounds=4, background_held_for=7.4).describe()
    assert busy.startswith(plain.rsplit("\n", 1)[0]), "the limit and the window read the same"
    assert "2 of your calls" in busy and "4 " in busy and "7 s" in busy
    assert "of your calls" not in plain and "429" not in plain


def test_an_unknown_limit_says_so_rather_than_a_number():
    text = _budget(limit=None, source="unknown").describe()
    assert "None" not in text.splitlines()[0] and "60 requests" not in text


@pytest.mark.parametrize("source", ["headers", "plan", "setting"])
def test_the_budget_names_where_the_limit_came_from_in_the_users_words(source):
    line = _budget(source=source, limit=47).describe().splitlines()[0]
    assert "47" in line and f"(from {source})" not in line, "the internal name is not shown"
    if source == "setting":
        assert "requests_per_minute=" in line, "the argument that set it"


def test_a_source_the_budget_has_no_words_for_is_shown_as_it_is():
    assert "(from enterprise-contract)" in _budget(source="enterprise-contract").describe()


def test_a_pause_under_a_second_after_a_429_still_shows_as_one_more_part_of_the_list():
    calm = _budget(foreground_waiting=1, reads_behind_rounds=2).describe().splitlines()[2]
    paused = _budget(foreground_waiting=1, reads_behind_rounds=2, background_held_for=0.4).describe()
    held = paused.splitlines()[2]
    assert held.startswith(calm) and held.count(", ") == calm.count(", ") + 1


def test_after_a_lent_slot_every_call_the_reserve_keeps_for_the_user_finds_a_slot_within_seconds():
    pacer = paced(20)  # two slots kept for the user
    for second in range(18):
        send(pacer, float(second), BACKGROUND)
    while pacer.wait_time(BACKGROUND, 57.0) == 0:  # lent once requests leave within the look-ahead
        send(pacer, 57.0, BACKGROUND)
    for _ in range(pacer.reserve):  # the user's calls, all asked for at 57 s
        going = 57.0
        while (wait := pacer.wait_time(FOREGROUND, going)) > 0:
            going += wait
        assert going - 57.0 <= USER_CALL_SECONDS
        send(pacer, going)


def test_a_window_with_room_says_so_rather_than_nothing():
    assert "None" not in _budget().describe()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, [
            "rate limit: 60 requests per 60 s (from your plan)",
            "last 60 s: 12 requests; free now",
            "waiting: 3 job updates for the widgets",
        ]),
        ({"source": "headers", "background_waiting": 0}, [
            "rate limit: 60 requests per 60 s (from the server's headers)",
            "last 60 s: 12 requests; free now",
            "waiting: nothing",
        ]),
        ({"limit": None, "frees_in": 0.2, "foreground_waiting": 1, "reads_behind_rounds": 2,
          "background_held_for": 4.6}, [
            "rate limit: not known yet (nothing is held back until the server or your plan says)",
            "last 60 s: 12 requests; job updates may go again in about 1 s",
            "waiting: 3 job updates for the widgets, 1 of your calls, 2 ended jobs' images, after the"
            " widgets' status checks, job updates paused 5 s more (the server said too many requests)",
        ]),
        ({"source": "setting", "window": 6.0, "frees_in": 34.2}, [
            "rate limit: 60 requests per 6 s (from requests_per_minute=)",
            "last 6 s: 12 requests; job updates may go again in about 35 s",
            "waiting: 3 job updates for the widgets",
        ]),
    ],
)
def test_percent_productai_budget_reads_exactly_so(changes, expected):
    """What a user reads under `%productai budget`, word for word."""
    assert _budget(**changes).describe().splitlines() == expected
