"""One selection per image: a tick in any view is the job's pick, shown by every other view."""

from __future__ import annotations

import uuid

import pytest

from productai_notebook import Gallery, JobView
from productai_notebook.api import ProductAI

IMAGE_URL = "https://example.com/lamp.jpg"


@pytest.fixture
def batch(emulator, tmp_path):
    key = f"pk_test_picks_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        made = client.batch(
            inputs=IMAGE_URL, prompts=["lamp on oak", "lamp at dusk"], models="nanobanana", num_images=3,
            batch_dir=tmp_path,
        )
        yield made.wait(timeout=60)


def test_a_tick_in_a_job_view_shows_in_its_other_views_and_in_the_batch_winners(batch, process_tracker):
    first, second = batch.jobs
    view, other_view = JobView(first), JobView(first)
    gallery = Gallery(batch.jobs)
    try:
        view.selected_indices = [2]  # the browser ticks image 3 in the first view
        other_view.selected_indices = [2, 0]  # then image 1 in the second

        assert view.selected_indices == [2, 0]  # the first view shows both ticks
        assert view.selected == other_view.selected == first.selected == [first.images[2], first.images[0]]
        assert gallery.selected_keys == [f"{first.id}:2", f"{first.id}:0"]
        assert gallery.selected == [(first, first.images[2]), (first, first.images[0])]

        gallery.selected_keys = [f"{first.id}:2", f"{first.id}:0", f"{second.id}:1"]  # ticked in the grid
        gallery.selected_keys = [f"{first.id}:0", f"{second.id}:1"]  # and image 3 unticked there

        assert view.selected_indices == other_view.selected_indices == [0]
        assert second.picks == (1,)
        assert [(job.id, image) for job, image in batch.winners] == [
            (first.id, first.images[0]), (second.id, second.images[1])
        ]
    finally:
        for widget in (view, other_view, gallery):
            widget.close()


def test_a_view_opened_later_shows_the_picks_made_before(batch, process_tracker):
    first, _ = batch.jobs
    first.set_picks([1])
    view, gallery = JobView(first), Gallery([first])
    try:
        assert view.selected_indices == [1]
        assert gallery.selected_keys == [f"{first.id}:1"]
    finally:
        view.close()
        gallery.close()
