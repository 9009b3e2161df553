"""Which followed jobs ended, from listings: trusted only as far as the page provably covers them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from productai_notebook.api.engine.listings import (
    EVERY_JOB,
    UNFINISHED,
    Followed,
    StatusListings,
    covers,
    newest_first,
)
from productai_notebook.api.models import JobPage, JobState

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)


def at(second: int) -> datetime:
    return T0 + timedelta(seconds=second)


def state(job_id: str, second: int, status: str = "processing") -> JobState:
    return JobState.parse({"job_id": job_id, "status": status, "created_at": at(second).isoformat()})


def page(*jobs: JobState, has_more: bool = False, total: int | None = None) -> JobPage:
    return JobPage(jobs=jobs, total=total if total is not None else len(jobs), limit=100, offset=0,
                   has_more=has_more)


def followed(job_id: str, second: int) -> Followed:
    return Followed(job_id, at(second))


def test_two_or_more_jobs_are_asked_about_with_one_listing_of_every_job():
    watch = StatusListings()
    assert watch.listings([followed("a", 1)]) == (), "one job alone is read on its own"
    assert watch.listings([followed("a", 1), followed("b", 2)]) == (EVERY_JOB,)


def test_a_listed_end_is_read_alone_and_a_running_job_keeps_its_listed_progress():
    watch = StatusListings()
    jobs = [followed("a", 1), followed("b", 2)]
    news = watch.read(jobs, {EVERY_JOB: page(state("b", 2), state("a", 1, "completed"))})
    assert news.ended == ["a"] and list(news.running) == ["b"] and not news.uncovered


def test_a_newest_first_page_that_reaches_past_a_job_covers_it_even_when_it_is_not_listed():
    full = page(state("z", 50), state("y", 40), has_more=True, total=500)
    assert newest_first(full)
    assert covers(full, followed("x", 45)), "created between listed jobs: it would be listed"
    assert not covers(full, followed("old", 30)), "older than the page's last job: on a later page"


def test_a_page_whose_order_cannot_be_checked_covers_only_what_it_lists():
    shuffled = page(state("y", 40), state("z", 50), has_more=True, total=500)
    assert not newest_first(shuffled)
    assert covers(shuffled, followed("y", 40)) and not covers(shuffled, followed("x", 45))


def test_the_whole_list_covers_every_job_in_any_order():
    assert covers(page(state("y", 40), state("z", 50)), followed("gone", 1))


def test_jobs_older_than_the_page_switch_the_rounds_to_the_unfinished_listings():
    watch = StatusListings()
    jobs = [followed("old", 1), followed("new", 60)]
    assert watch.listings(jobs) == (EVERY_JOB,) and watch.listings_per_round() == 1
    news = watch.read(jobs, {EVERY_JOB: page(state("new", 60), state("other", 50), has_more=True, total=300)})
    assert news.uncovered == ["old"]
    assert watch.listings(jobs) == UNFINISHED
    assert watch.listings_per_round() == 2, "what a widget's round needs of the budget from now on"
    pending, processing = UNFINISHED
    news = watch.read(jobs, {pending: page(), processing: page(state("new", 60))})
    assert news.ended == ["old"], "in neither complete unfinished listing: it ended"
    assert list(news.running) == ["new"]


def test_a_job_no_unfinished_listing_covers_falls_back_to_its_own_read():
    watch = StatusListings()
    jobs = [followed("old", 1), followed("new", 60)]
    pending, processing = UNFINISHED
    # more than 100 unfinished jobs, in an order that cannot be checked
    busy = page(state("p2", 70, "pending"), state("p1", 80, "pending"), has_more=True, total=150)
    news = watch.read(jobs, {pending: busy, processing: page(state("new", 60))})
    assert news.uncovered == ["old"] and not news.ended


def test_a_new_set_of_jobs_tries_the_single_listing_again():
    watch = StatusListings()
    old = [followed("old", 1), followed("new", 60)]
    watch.listings(old)
    watch.read(old, {EVERY_JOB: page(state("new", 60), has_more=True, total=300)})
    assert watch.listings(old) == UNFINISHED
    assert watch.listings([followed("new", 60), followed("newer", 70)]) == (EVERY_JOB,)
