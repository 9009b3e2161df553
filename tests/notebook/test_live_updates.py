"""Live updates through the one tracker: a gallery fills in as its jobs complete, and what finished
in the background is sent again by the next cell, so a headless run saves it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from notebook_waits import wait_until
from page_messages import send_from_browser

from productai_notebook import Gallery, JobsTable, JobView, config
from productai_notebook.api import Job, ProductAI
from productai_notebook.api.engine import tracker as tracking
from productai_notebook.api.engine.tracker import Tracker
from productai_notebook.notebook import _resend

IMAGE_URL = "https://example.com/vase.jpg"




def generate(client: ProductAI, prompt: str = "a vase", num_images: int = 1) -> Job:
    return client.generate(model="nanobanana2", image_url=IMAGE_URL, prompt=prompt, num_images=num_images)


class Outbox:
    """The states a widget sends to the browser from now on."""

    def __init__(self, widget: Any) -> None:
        self.states: list[dict[str, Any]] = []
        widget.comm.send = self.record

    def record(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        self.states.append(data.get("state", {}))


def run_cells_until(sent: Callable[[], bool], what: str) -> None:
    """What IPython's post_run_cell does after each cell, cell after cell until `sent()` holds."""
    wait_until(lambda: _resend.resend_changed() or sent(), what)


# -- the gallery fills in ---------------------------------------------------------------------


def test_a_running_job_shows_its_images_in_the_gallery_once_it_completes(account, process_tracker):
    finished = generate(account, "a finished vase").wait(timeout=60, poll_interval=0.1)
    running = generate(account, "a running vase", num_images=2)
    gallery = Gallery([finished, running])
    assert gallery.notice == "1 of 2 is still running: their images appear when they complete."
    wait_until(lambda: len(gallery.items) == 3, "the running job's images to show")
    assert gallery.notice == ""  # nothing is missing any more
    assert running.status == "completed"
    assert [item["url"] for item in gallery.items[1:]] == [image.url for image in running.images]
    assert {item["prompt"] for item in gallery.items} == {"a finished vase", "a running vase"}
    gallery.close()


def test_closing_the_gallery_stops_polling_its_jobs(account):
    slow = Tracker(min_interval=600, max_interval=600)  # keeps following: no poll ends the job first
    try:
        running = generate(account)
        gallery = Gallery([running], tracker=slow)
        assert slow.is_following(running)
        gallery.close()
        wait_until(lambda: not slow.is_following(running), "polling to stop")
    finally:
        slow.close()


def test_a_gallery_of_finished_jobs_starts_no_tracker(account, monkeypatch):
    finished = generate(account).wait(timeout=60, poll_interval=0.1)
    monkeypatch.setattr(tracking, "_tracker", None)
    gallery = Gallery([finished])
    assert len(gallery.items) == 1 and tracking.current_tracker() is None
    gallery.close()


# -- the next cell sends again what finished in the background --------------------------------


def test_a_table_row_that_finished_in_the_background_is_sent_again_by_the_next_cell(account, process_tracker):
    generate(account)
    table = JobsTable(account)
    wait_until(lambda: table.rows[0]["status"] == "completed", "the row to show the job completed")
    outbox = Outbox(table)
    run_cells_until(lambda: bool(outbox.states), "the next cell to send the table again")
    assert [row["status"] for row in outbox.states[0]["rows"]] == ["completed"]
    _resend.resend_changed()
    assert len(outbox.states) == 1, "sent once, not after every cell"
    table.close()


def test_a_gallery_that_filled_in_the_background_is_sent_again_by_the_next_cell(account, process_tracker):
    running = generate(account, num_images=2)
    gallery = Gallery([running])
    wait_until(lambda: len(gallery.items) == 2, "the images to show")
    outbox = Outbox(gallery)
    whole = lambda: [state for state in outbox.states if "items" in state]  # noqa: E731 (not its thumbnails alone)
    run_cells_until(lambda: bool(whole()), "the next cell to send the gallery again")
    assert [item["url"] for item in whole()[0]["items"]] == [image.url for image in running.images]
    _resend.resend_changed()
    assert len(whole()) == 1, "sent once, not after every cell"
    gallery.close()



def test_the_next_cell_updates_the_saved_output_again_only_when_no_browser_draws_the_widget(
    account, process_tracker, monkeypatch
):
    monkeypatch.setattr(config, "thumbnails", False)  # settled as the job ends: one update to count
    updates: list[JobView] = []
    monkeypatch.setattr(JobView, "_update_output", lambda view, again=False: updates.append(view))
    for drawn in (False, True):
        view = JobView.for_job(generate(account))
        if drawn:  # what the front end says as it draws the view
            send_from_browser(view, {"type": "shown"})
        wait_until(lambda: view in updates, "the output updated as the job ended")  # noqa: B023
        updates.clear()
        _resend.resend_changed()  # no cell ran meanwhile (nothing here runs cells): a recorder missed it
        # only this view's: views earlier tests left open (this worker's) may still end and update
        mine = [updated for updated in updates if updated is view]
        assert mine == ([] if drawn else [view]), "a browser's page has it; a headless run gets it again"
        view.close()
