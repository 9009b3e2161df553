"""What a lost create decides from the listings, alone (no I/O): claim, send again, or doubt.

Each test is a moment of a real run, on made-up times: a listing's pages, the other creates of the
process and how far they got.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from api_helpers import job_json

from productai_notebook.api import (
    APIConnectionError,
    APITimeoutError,
    BadRequestError,
    InternalServerError,
    InvalidResponseError,
    JobMayExistError,
    JobPage,
    JobState,
)
from productai_notebook.api._lost_creates import (
    CAREFUL_SECONDS,
    CLOCK_SKEW,
    IN_FLIGHT,
    MAX_PAGES,
    VISIBLE_SECONDS,
    Creates,
    LostCreate,
    answer_was_lost,
    settle_seconds,
    what_came,
)

SENT = datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)
LOST = APIConnectionError("the connection broke after the request was sent", may_have_arrived=True)
SIZE_ONE = {"model": "nanobanana2", "num_images": 1}


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _page(ages: list[float], offset: int = 0, has_more: bool = False, **fields: object) -> JobPage:
    created = [_iso(SENT + timedelta(seconds=age)) for age in ages]
    jobs = [
        JobState.parse(job_json(f"job_{offset + i}", created_at=at, **fields)) for i, at in enumerate(created)
    ]
    return JobPage(tuple(jobs), total=len(jobs), limit=100, offset=offset, has_more=has_more)


def _sent(creates: Creates, at: datetime = SENT, body: dict[str, object] = SIZE_ONE):
    """A create under way from `at` (whatever its turn: sent from another process's view)."""
    create = creates.start(body, at)
    creates.under_way(create, at)
    return create


# -- which answers leave the job in doubt, and how long to wait before listing ---------------------


def test_only_answers_that_may_have_come_after_the_job_was_stored_leave_it_in_doubt():
    assert answer_was_lost(LOST)
    assert not answer_was_lost(APIConnectionError("refused", may_have_arrived=False))
    assert answer_was_lost(InternalServerError(502, "internal_error", "bad gateway"))
    assert answer_was_lost(InvalidResponseError("half a body", status_code=202))
    assert not answer_was_lost(BadRequestError(400, "invalid_request", "prompt is required"))


def test_a_listing_proves_nothing_made_only_once_the_server_had_time_to_show_the_job():
    assert settle_seconds(LOST, read_timeout=30.0) == VISIBLE_SECONDS
    assert settle_seconds(InternalServerError(500, "internal_error", "x"), 30.0) == VISIBLE_SECONDS
    # a timed-out server may still be storing the job: it gets as long again as the client gave it
    timed_out = APITimeoutError("no answer", may_have_arrived=True)
    assert settle_seconds(timed_out, read_timeout=30.0) == 30.0 + VISIBLE_SECONDS


def test_the_error_says_what_came_instead_of_an_answer():
    assert what_came(InternalServerError(502, "internal_error", "x")) == "it answered 502 internal_error"
    assert what_came(InvalidResponseError("x", status_code=202)) == "its answer 202 could not be read"
    assert what_came(InvalidResponseError("x")) == "its answer could not be read"
    assert what_came(APITimeoutError("x", may_have_arrived=True)) == "no answer came in time"
    assert what_came(LOST) == "the connection broke after the request was sent"


# -- the search over the listing's pages -----------------------------------------------------------


def test_the_search_stops_at_the_first_page_of_older_jobs():
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1, 0, -30], has_more=True))
    assert search.next_offset == 3
    search.take(_page([-120, -200], offset=3, has_more=True))  # older than the request by far
    assert search.next_offset is None
    assert search.listed == ["job_0", "job_1", "job_2", "job_3", "job_4"]
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(LOST, known={"job_0"})
    assert [job.job_id for job in caught.value.candidates] == ["job_1", "job_2"]


def test_a_job_stamped_exactly_at_the_edge_of_the_clock_skew_still_counts():
    search = LostCreate(SIZE_ONE, SENT)
    edge = -CLOCK_SKEW.total_seconds()
    search.take(_page([edge, edge - 0.001]))
    assert search.outcome(LOST, known=()).job_id == "job_0"


def test_a_page_that_is_the_last_ends_the_search_even_with_recent_jobs():
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([5]))
    assert search.next_offset is None


def test_a_failed_job_listed_without_model_can_still_be_the_one():
    search = LostCreate({"model": "seedream", "num_images": 2}, SENT)
    page = _page([1], status="failed", model=None, num_images=None)
    search.take(page)
    assert search.outcome(LOST, known=()) == page.jobs[0]


def test_jobs_of_another_model_or_size_are_never_candidates():
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1], model="seedream"))
    search.take(_page([2], offset=1, num_images=3))
    assert search.outcome(LOST, known=()) is None


def test_a_search_that_gave_up_never_claims_a_job_nor_proves_none():
    search = LostCreate(SIZE_ONE, SENT)
    for number in range(MAX_PAGES):
        search.take(_page([1], offset=number, has_more=True, model="seedream" if number else "nanobanana2"))
    assert search.next_offset is None
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(LOST, known=())
    assert [job.job_id for job in caught.value.candidates] == ["job_0"]
    nothing = LostCreate(SIZE_ONE, SENT)
    for number in range(MAX_PAGES):
        nothing.take(_page([1], offset=number, has_more=True, model="seedream"))
    with pytest.raises(JobMayExistError):
        nothing.outcome(LOST, known=())


def test_one_page_short_of_the_limit_the_search_goes_on():
    search = LostCreate(SIZE_ONE, SENT)
    for number in range(MAX_PAGES - 1):
        search.take(_page([1], offset=number, has_more=True, model="seedream"))
    assert search.next_offset == MAX_PAGES - 1


def test_no_unclaimed_job_of_its_shape_proves_the_create_made_none():
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1, 2]))
    assert search.outcome(LOST, known={"job_0", "job_1"}) is None


def test_the_doubt_names_its_candidates_and_its_cause():
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1, 2]))
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(LOST, known=(), rivals=1)
    assert "job_0" in str(caught.value) and "job_1" in str(caught.value)
    assert "1 other create(s) of the same model" in str(caught.value) and caught.value.__cause__ is LOST


def test_a_failed_listing_leaves_the_job_in_doubt_without_candidates():
    search = LostCreate(SIZE_ONE, SENT)
    with pytest.raises(JobMayExistError) as caught:
        search.listing_failed(LOST, InternalServerError(500, "internal_error", "x"))
    assert caught.value.candidates == ()
    assert "listing the jobs failed (InternalServerError)" in str(caught.value)


# -- the other creates of the process --------------------------------------------------------------


def test_a_create_still_waiting_for_its_answer_keeps_the_lost_one_from_claiming_its_job():
    creates = Creates()
    lost, other = _sent(creates), _sent(creates)
    creates.lost(lost, SENT)
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1]))  # job_0: the lost create's, or the other's whose answer is on its way
    assert creates.sending(lost, before=2)
    with pytest.raises(JobMayExistError):
        search.outcome(LOST, creates.not_its_job(lost), creates.rivals(lost, before=2))
    # once the other's answer came, its job is known: the one left is the lost create's
    creates.ended(other, "job_0", SENT)
    search.take(_page([1, 2]))
    assert search.outcome(LOST, creates.not_its_job(lost), creates.rivals(lost, before=2)).job_id == "job_1"


def test_only_creates_that_could_have_made_a_listed_job_count():
    creates = Creates()
    lost = _sent(creates)
    _sent(creates, body={"model": "seedream", "num_images": 1})  # another model
    _sent(creates, body={**SIZE_ONE, "num_images": 2})  # another size
    later = _sent(creates)  # started after the listing was read
    refused = _sent(creates)
    creates.ended(refused, None, SENT)  # a 4xx: no job
    queued = creates.start(SIZE_ONE, SENT)  # not sent yet: it made nothing
    del queued
    assert creates.rivals(lost, before=3) == 0
    assert creates.rivals(lost, before=later.number) == 1


def test_a_job_listed_before_a_create_was_sent_is_never_its_job():
    creates = Creates()
    earlier = _sent(creates)
    creates.lost(earlier, SENT)
    creates.listed(earlier, ["job_left_in_doubt"], SENT + timedelta(seconds=3))
    creates.unsure(earlier, SENT + timedelta(seconds=3))
    after = _sent(creates, SENT + timedelta(seconds=5))
    assert "job_left_in_doubt" in creates.not_its_job(after)
    assert creates.rivals(after, before=after.number) == 0, "its job, if any, was listed before"
    creates.ended(after, "job_after", SENT + timedelta(seconds=6))
    # a create sent at the very moment of that listing may have made it: it is not excluded
    same_moment = _sent(creates, SENT + timedelta(seconds=3))
    assert "job_left_in_doubt" not in creates.not_its_job(same_moment)
    assert creates.rivals(same_moment, before=same_moment.number) == 1


def test_a_create_that_ended_unsure_without_a_listing_counts_until_its_job_is_too_old_to_be_listed():
    creates = Creates()
    unsure = _sent(creates)
    creates.unsure(unsure, SENT)  # Ctrl-C during its send: its job may exist, never listed
    soon = _sent(creates, SENT + timedelta(seconds=30))
    assert creates.rivals(soon, before=soon.number) == 1
    creates.ended(soon, "job_soon", SENT + timedelta(seconds=31))
    edge = SENT + 2 * CLOCK_SKEW  # its job, stamped up to a skew late, is still within the look-back
    at_edge = _sent(creates, edge)
    assert creates.rivals(at_edge, before=at_edge.number) == 1
    creates.ended(at_edge, "job_edge", edge)
    much_later = edge + timedelta(seconds=1)
    late = creates.start(SIZE_ONE, much_later)  # the unsure one is forgotten now
    assert creates.take_turn(late, much_later)
    assert creates.rivals(late, before=late.number) == 0


def test_a_lost_create_waits_for_the_answers_of_the_creates_sent_before_its_search():
    creates = Creates()
    first, lost, second = (_sent(creates) for _ in range(3))
    creates.lost(lost, SENT)
    creates.ended(second, "job_second", SENT)
    later = _sent(creates)  # started once the search began: not waited for
    answered = threading.Thread(target=creates.ended, args=(first, "job_first", SENT))
    answered.start()
    creates.wait_for_sending(lost, before=3, timeout=60)  # returns when the answer came, not after 60 s
    answered.join()
    assert not creates.sending(lost, before=3) and creates.sending(lost, before=later.number)
    assert creates.not_its_job(lost) == {"job_first", "job_second"}


# -- one at a time while answers are lost ----------------------------------------------------------


def test_after_a_lost_answer_creates_of_its_shape_go_one_at_a_time_for_a_while():
    creates = Creates()
    lost = _sent(creates)
    other_shape = creates.start({"model": "seedream", "num_images": 1}, SENT)
    assert creates.take_turn(creates.start(SIZE_ONE, SENT), SENT), "nothing lost yet: at once"
    creates.lost(lost, SENT)
    waiting = creates.start(SIZE_ONE, SENT)
    assert not creates.take_turn(waiting, SENT)
    assert creates.take_turn(other_shape, SENT), "another shape cannot be taken for it"
    creates.ended(lost, "job_lost", SENT)
    assert not creates.take_turn(waiting, SENT), "the one sent before the loss is still under way"


def test_one_at_a_time_ends_careful_seconds_after_the_last_loss():
    creates = Creates()
    lost = _sent(creates)
    creates.lost(lost, SENT)
    waiting = creates.start(SIZE_ONE, SENT)
    end = SENT + timedelta(seconds=CAREFUL_SECONDS)
    assert not creates.take_turn(waiting, end - timedelta(milliseconds=1))
    assert creates.take_turn(waiting, end)


def test_a_create_waiting_its_turn_goes_when_the_one_under_way_ends():
    creates = Creates()
    lost = _sent(creates)
    creates.lost(lost, SENT)
    waiting = creates.start(SIZE_ONE, SENT)
    ended = threading.Thread(target=creates.ended, args=(lost, None, SENT))
    ended.start()
    creates.wait_turn(waiting, lambda: SENT, timeout=60)  # woken by the end, not after 60 s
    ended.join()
    assert waiting.sent_at == SENT and creates.sending(_sent(creates), before=waiting.number)


def test_a_create_sent_again_is_under_way_from_its_new_send():
    creates = Creates()
    create = _sent(creates)
    creates.lost(create, SENT)
    creates.listed(create, ["job_x"], SENT + timedelta(seconds=2))
    again = SENT + timedelta(seconds=3)
    creates.under_way(create, again)
    assert create.sent_at == again and create.listed_at is None
    assert "job_x" in creates.not_its_job(create), "what its first search listed is not its second job"


def test_no_more_than_a_few_creates_of_one_shape_are_under_way_at_once():
    creates = Creates()
    under_way = [_sent(creates) for _ in range(IN_FLIGHT - 1)]
    assert creates.take_turn(creates.start(SIZE_ONE, SENT), SENT), "the last of the few"
    over = creates.start(SIZE_ONE, SENT)
    assert not creates.take_turn(over, SENT)
    assert creates.take_turn(creates.start({"model": "seedream", "num_images": 1}, SENT), SENT)
    creates.ended(under_way[0], "job_0", SENT)
    assert creates.take_turn(over, SENT), "one answered: the next goes"


def test_a_search_starts_at_the_newest_page():
    assert LostCreate(SIZE_ONE, SENT).next_offset == 0


def test_the_doubt_says_what_came_instead_of_the_answer_and_the_rivals_too():
    search = LostCreate(SIZE_ONE, SENT)
    search.take(_page([1, 2]))
    with pytest.raises(JobMayExistError) as caught:
        search.outcome(InternalServerError(502, "internal_error", "x"), known=(), rivals=2)
    text = str(caught.value)
    start = "POST /generate got no clear answer (it answered 502 internal_error), while 2 other"
    assert text.startswith(start)


def test_a_failed_listing_says_what_came_and_claims_no_search():
    search = LostCreate(SIZE_ONE, SENT)
    with pytest.raises(JobMayExistError) as caught:
        search.listing_failed(InvalidResponseError("x", status_code=202), LOST)
    text = str(caught.value)
    assert "its answer 202 could not be read" in text and "matches it yet" not in text


def test_waiting_for_the_others_answers_ends_at_its_deadline_when_one_never_comes():
    creates = Creates()
    lost, _silent = _sent(creates), _sent(creates)
    creates.lost(lost, SENT)
    creates.wait_for_sending(lost, before=2, timeout=0.01)  # returns, the other still sending
    assert creates.sending(lost, before=2)
