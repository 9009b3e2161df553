"""JobView: what the browser receives about a job, how often, and what it never receives."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from held_reads import HeldReads
from notebook_waits import wait_until

from productai_notebook import config
from productai_notebook.api import Job, ProductAI
from productai_notebook.api.engine.tracker import Tracker
from productai_notebook.contract import FAIL_MARKER
from productai_notebook.emulator import Emulator
from productai_notebook.notebook import _resend
from productai_notebook.notebook._widget import UPDATE_INTERVAL_SECONDS
from productai_notebook.notebook.job_view import JobView


@pytest.fixture
def tracker() -> Iterator[Tracker]:
    tracker = Tracker(min_interval=0.02, max_interval=0.1)
    yield tracker
    tracker.close()


@pytest.fixture(scope="module")
def slow_client(api_key: str) -> Iterator[ProductAI]:
    """Jobs of 2-3 s, so a poll surely sees each status on its way."""
    with Emulator(api_key=api_key, job_seconds=(2.0, 3.0), seed=2) as emu, ProductAI(
        api_key=api_key, base_url=emu.base_url
    ) as client:
        yield client


def generate(client: ProductAI, prompt: str = "a bottle on marble", num_images: int = 2) -> Job:
    return client.generate(model="nanobanana2", image_url="https://example.com/bottle.jpg",
                           prompt=prompt, num_images=num_images)


class Outbox:
    """The comm messages a view sends to the browser."""

    def __init__(self, view: JobView) -> None:
        self.messages: list[dict[str, Any]] = []
        view.comm.send = self.record  # type: ignore[method-assign]

    def record(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.messages.append(data)

    @property
    def statuses(self) -> list[str]:
        return [m["state"]["job"]["status"] for m in self.messages if "job" in m.get("state", {})]


def watch_statuses(view: JobView) -> list[str]:
    seen = [view.job["status"]]
    view.observe(lambda change: seen.append(change["new"]["status"]), names="job")
    return seen


def test_the_view_moves_from_pending_through_processing_to_a_gallery(slow_client, tracker):
    job = generate(slow_client)
    view = JobView.for_job(job, tracker=tracker)
    seen = watch_statuses(view)
    assert view.connection == "live"
    wait_until(lambda: view.job["status"] == "completed", "the view to show the completed job")
    statuses = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s]
    assert statuses == ["pending", "processing", "completed"]
    assert [image["url"] for image in view.job["images"]] == [image.url for image in job.images]
    assert len(view.job["images"]) == 2 and view.job["tokens_used"] == 10
    wait_until(lambda: view.connection == "idle", "the connection to go idle")


def test_the_view_carries_the_prompt_and_aspect_ratio_it_was_asked_with(client, tracker):
    job = client.generate(model="seedream", image_url="https://example.com/bottle.jpg",
                          prompt="on linen", num_images=3, aspect_ratio="16:9")
    view = JobView.for_job(job, tracker=tracker)
    # the browser reserves three 16:9 tiles while the job runs: the API never says either again
    assert (view.job["prompt"], view.job["aspect_ratio"], view.job["num_images"]) == ("on linen", "16:9", 3)
    wait_until(lambda: view.job["status"] == "completed", "the job to complete")
    assert (view.job["prompt"], view.job["aspect_ratio"]) == ("on linen", "16:9")
    assert client.jobs.get(job.id).aspect_ratio == "16:9"


def test_a_failed_job_shows_its_error(slow_client, tracker):
    job = generate(slow_client, prompt=f"a bottle {FAIL_MARKER}")
    view = JobView.for_job(job, tracker=tracker)
    seen = watch_statuses(view)
    wait_until(lambda: view.job["status"] == "failed", "the view to show the failure")
    statuses = [s for i, s in enumerate(seen) if i == 0 or seen[i - 1] != s]
    assert statuses == ["pending", "processing", "failed"]
    assert view.job["error"]["code"] == "generation_failed" and view.job["error"]["message"]
    assert view.job["images"] == []


def test_a_fast_job_sends_few_messages_however_often_it_is_polled(client, tracker, monkeypatch):
    monkeypatch.setattr(config, "thumbnails", False)  # counted here: the updates polls cause
    job = generate(client, num_images=1)
    started = time.monotonic()
    view = JobView.for_job(job, tracker=tracker)
    outbox = Outbox(view)
    wait_until(lambda: job.is_terminal, "the job to end")
    took = time.monotonic() - started
    wait_until(lambda: outbox.statuses and outbox.statuses[-1] == "completed", "the final update")
    # One update at once, then at most one per interval, plus the final state sent at once.
    assert len(outbox.messages) <= took / UPDATE_INTERVAL_SECONDS + 2
    assert tracker.polls > len(outbox.messages), "polls were coalesced into fewer updates"


def test_closing_the_view_stops_polling_its_job(slow_client, tracker):
    job = generate(slow_client)
    view = JobView.for_job(job, tracker=tracker)
    assert tracker.is_following(job)
    view.close()
    wait_until(lambda: not tracker.is_following(job), "polling to stop")
    assert not job.is_terminal


def test_a_job_shown_twice_is_polled_until_both_views_close(slow_client, tracker):
    job = generate(slow_client)
    first, second = JobView.for_job(job, tracker=tracker), JobView.for_job(job, tracker=tracker)
    first.close()
    assert tracker.is_following(job)
    second.close()
    wait_until(lambda: not tracker.is_following(job), "polling to stop")


def test_the_selection_reaches_python(client, tracker):
    job = generate(client, num_images=3).wait(timeout=60)
    view = JobView.for_job(job, tracker=tracker)
    assert view.connection == "idle" and not tracker.is_following(job)
    view.selected_indices = [2, 0, 7]  # what the browser sets; an index past the end is ignored
    assert view.selected == [job.images[2], job.images[0]]
    assert job.selected == view.selected


def test_the_api_key_is_in_no_state_repr_or_html(client, api_key, tracker):
    job = generate(client)
    view = JobView.for_job(job, tracker=tracker)
    wait_until(lambda: view.job["status"] == "completed", "the job to complete")
    data, _ = view._repr_mimebundle_()
    shown = [json.dumps(view.get_state(), default=str), repr(view), data["text/plain"], data["text/html"],
             repr(tracker)]
    assert not any(api_key in text for text in shown)
    assert f'<a href="{job.images[0].url}"' in data["text/html"]  # each thumbnail links to its image
    assert "completed" in data["text/plain"] and "application/vnd.jupyter.widget-view+json" in data


def test_a_job_that_ended_between_cells_is_sent_again_by_the_next_cell(client, tracker):
    job = generate(client)
    view = JobView.for_job(job, tracker=tracker)
    wait_until(lambda: view.job["status"] == "completed", "the view to show the end")
    outbox = Outbox(view)
    _resend.resend_changed()  # what IPython's post_run_cell runs
    assert outbox.statuses == ["completed"]
    _resend.resend_changed()
    assert outbox.statuses == ["completed"], "sent once, not after every cell"


def test_an_unreachable_api_shows_reconnecting_in_the_view(client, api_key, tracker):
    job = generate(client)
    with ProductAI(api_key=api_key, base_url="http://127.0.0.1:9/v1") as unreachable:  # nothing listens
        view = JobView.for_job(Job(unreachable, job.state), tracker=tracker)
        wait_until(lambda: view.connection == "reconnecting", "the view to say it is reconnecting")
        assert view.job["status"] == "pending"  # what it knew stays on screen
        view.close()


def test_a_view_whose_next_read_waits_on_the_rate_limit_says_queued(api_key, tracker, monkeypatch):
    monkeypatch.setattr(config, "thumbnails", False)
    with Emulator(api_key=api_key, plan="free", job_seconds=(30, 30)) as emu, ProductAI(
        api_key=api_key, base_url=emu.base_url
    ) as client:
        job = generate(client)
        for _ in range(9):  # the free plan's ten requests of the minute, all used by the user
            client.me()
        view = JobView.for_job(job, tracker=tracker)
        wait_until(lambda: view.connection == "queued", "the view to say its read waits on the budget")
        wait_until(lambda: client.budget().background_waiting == 1, "the engine to hold the read back")
        described = client.budget().describe()
        assert "waiting: 1 job updates for the widgets" in described
        assert re.search(r"job updates may go again in about \d+ s", described), described
        # the card says when too ("in about N s"): the seconds until the window frees
        wait_until(lambda: view.budget_wait is not None and 0 < view.budget_wait <= 60, "the card's wait")
        assert emu.requests()["statuses"].get("429", 0) == 0
        view.close()


def test_a_job_a_listing_says_completed_shows_completed_before_its_read_then_its_images(api_key, monkeypatch):
    """With its own read held back (a budget spent on creates), the view shows the end the listing
    told, says its images are loading (never "0 images"), and shows the images once read."""
    monkeypatch.setattr(config, "thumbnails", False)
    held = HeldReads()
    http = held.client()
    # a lone job's own reads slow enough that the two views' jobs are listed before either is read
    tracker = Tracker(min_interval=0.5, max_interval=1.0)
    try:
        with Emulator(api_key=api_key, job_seconds=(0.3, 0.6), seed=6) as emu, ProductAI(
            api_key=api_key, base_url=emu.base_url, http_client=http
        ) as client:
            jobs = [generate(client, prompt=f"a bottle {n}") for n in range(2)]
            ids = {job.id for job in jobs}
            wait_until(lambda: ids <= {s.job_id for s in client.jobs.list().jobs if s.is_terminal},
                       "the jobs to end on the server")
            views = [JobView.for_job(job, tracker=tracker) for job in jobs]
            wait_until(lambda: all(v.job["status"] == "completed" for v in views), "the listed ends to show")
            assert emu.requests()["routes"].get("get_job", 0) == 0, "shown before any read of the jobs"
            view = views[0]
            assert view.job["images_coming"] is True and view.job["images"] == []
            assert view.connection != "idle", "its read is still to come"
            html = view._repr_mimebundle_()[0]["text/html"]
            assert "loading its images" in html and "0 image" not in html
            held.release()
            wait_until(lambda: all(v.job["images"] for v in views), "the read images to show")
            assert view.job["images_coming"] is False
            assert "loading its images" not in view._repr_mimebundle_()[0]["text/html"]
            wait_until(lambda: view.connection == "idle", "the connection to go idle")
            for v in views:
                v.close()
    finally:
        held.release()
        tracker.close()
        http.close()
