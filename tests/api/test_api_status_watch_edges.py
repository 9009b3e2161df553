"""Status from listings at its edges: a page's order and coverage at equal times, jobs of unknown age,
and what a round hands on. Each test is a case where one comparison the other way round would call
a running job ended (a read for nothing) or an ended one running (its result late)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from productai_notebook.api.engine.listings import (
    EVERY_JOB,
    UNFINISHED,
    Followed,
    Listing,
    StatusListings,
    covers,
    newest_first,
)
from productai_notebook.api.models import JobPage, JobState

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def state(job_id: str, second: int | None, status: str = "processing") -> JobState:
    created = None if second is None else (T0 + timedelta(seconds=second)).isoformat()
    return JobState.parse({"job_id": job_id, "status": status, "created_at": created})


def page(*jobs: JobState, has_more: bool = True) -> JobPage:
    return JobPage(jobs=jobs, total=500 if has_more else len(jobs), limit=100, offset=0, has_more=has_more)


def followed(job_id: str, second: int | None) -> Followed:
    return Followed(job_id, None if second is None else T0 + timedelta(seconds=second))


def test_a_listing_asks_the_largest_first_page_and_the_status_it_is_for():
    assert EVERY_JOB.params() == {"limit": 100, "offset": 0}
    assert Listing("pending").params() == {"limit": 100, "offset": 0, "status": "pending"}
    assert [listing.params()["status"] for listing in UNFINISHED] == ["pending", "processing"]


@pytest.mark.parametrize("jobs", [(), (state("a", 5),)])
def test_a_page_of_one_job_or_none_counts_as_newest_first(jobs):
    assert newest_first(page(*jobs))


def test_jobs_created_in_the_same_instant_are_still_newest_first():
    assert newest_first(page(state("b", 5), state("a", 5), state("z", 1)))


def test_a_page_with_a_job_of_unknown_age_cannot_be_checked_for_order():
    assert not newest_first(page(state("b", 5), state("a", None)))


def test_a_page_out_of_order_never_covers_an_unlisted_job_even_when_its_last_job_is_older():
    shuffled = page(state("z", 50), state("w", 30), state("y", 40))
    assert not covers(shuffled, followed("x", 45))


def test_a_followed_job_of_unknown_age_is_covered_only_by_being_listed_or_the_whole_list():
    assert not covers(page(state("z", 50), state("y", 40)), followed("x", None))
    assert covers(page(state("z", 50), has_more=False), followed("x", None))


def test_a_job_created_in_the_same_instant_as_the_pages_last_may_be_on_the_next_page():
    last_page_instant = page(state("z", 50), state("y", 40))
    assert not covers(last_page_instant, followed("x", 40))
    assert covers(last_page_instant, followed("x", 41))


def test_a_round_hands_on_the_listed_states_and_the_ids_of_the_ended():
    watch = StatusListings()
    running, done = state("b", 2), state("a", 1, "completed")
    news = watch.read([followed("a", 1), followed("b", 2), followed("c", 3)],
                      {EVERY_JOB: page(state("d", 9), running, done)})
    assert news.running == {"b": running} and news.summaries == {"a": done}
    assert news.ended == ["a", "c"], "c is covered and gone from the list: it ended"


def test_a_job_of_unknown_age_counts_as_the_oldest_and_a_new_oldest_asks_every_job_again():
    watch = StatusListings()
    jobs = [followed("a", 1), followed("b", 2)]
    watch.listings(jobs)
    watch.read(jobs, {EVERY_JOB: page(state("z", 50), state("y", 40))})  # covers neither
    assert watch.listings(jobs) == UNFINISHED
    assert watch.listings([followed("b", 2), followed("a", 1)]) == UNFINISHED, "the same oldest, listed later"
    assert watch.listings([*jobs, followed("c", None)]) == (EVERY_JOB,)
