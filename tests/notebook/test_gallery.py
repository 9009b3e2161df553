"""Gallery in Python: the items it shows, its controls, and the selection read back."""

from __future__ import annotations

import contextlib
import uuid

import pytest
import traitlets

from productai_notebook import Gallery, JobsTable
from productai_notebook.api import JobFailedError, JobImage, JobState, ProductAI

IMAGE_URL = "https://example.com/lamp.jpg"


@pytest.fixture(scope="module")
def jobs(emulator):
    """A completed job of 2 images, a failed one, and a completed one of 1 image."""
    key = f"pk_test_gallery_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        made = [
            client.generate(model="nanobanana2", prompt="lamp on oak", image_url=IMAGE_URL, num_images=2),
            client.generate(model="seedream", prompt="lamp #fail", image_url=IMAGE_URL),
            client.generate(model="kontext-max", prompt="lamp at dusk", image_url=IMAGE_URL),
        ]
        for job in made:
            with contextlib.suppress(JobFailedError):
                job.wait(timeout=60, poll_interval=0.2)
        yield made


def test_items_are_every_image_of_every_job(jobs):
    gallery = Gallery(jobs)
    first, second = jobs[0], jobs[2]
    assert [item["key"] for item in gallery.items] == [f"{first.id}:0", f"{first.id}:1", f"{second.id}:0"]
    item = gallery.items[0]
    assert item["job_id"] == first.id and item["index"] == 0
    assert item["url"] == first.images[0].url
    assert (item["width"], item["height"]) == (1024, 1024)
    assert (item["model"], item["prompt"]) == ("nanobanana2", "lamp on oak")
    assert item["created_at"] == first.to_dict()["created_at"]  # the wire form: UTC, "Z"


def test_plain_job_states_work_too():
    state = JobState.parse({
        "job_id": "job_plain", "status": "completed", "model": "seedream", "num_images": 1,
        "created_at": "2024-01-15T10:30:00Z", "images": [{"url": "https://cdn.example/x.jpg"}],
    })
    gallery = Gallery([state])
    assert gallery.items[0]["prompt"] is None
    gallery.selected_keys = ["job_plain:0"]
    assert gallery.selected == [(state, JobImage(url="https://cdn.example/x.jpg"))]


def test_the_selection_reads_back_as_jobs_and_images(jobs):
    gallery = Gallery(jobs)
    gallery.selected_keys = [f"{jobs[2].id}:0", f"{jobs[0].id}:1", "job_gone:0", f"{jobs[0].id}:9"]
    assert gallery.selected == [(jobs[2], jobs[2].images[0]), (jobs[0], jobs[0].images[1])]
    # the ticks are the jobs' own picks (the fixture's jobs are shared: leave them unpicked)
    assert (jobs[0].picks, jobs[2].picks) == ((1,), (0,))
    gallery.close()
    for job in jobs:
        job.set_picks([])


def test_grouping_thumb_size_and_compare(jobs):
    gallery = Gallery(jobs, group_by="model", thumb_size=240)
    assert (gallery.group_by, gallery.thumb_size, gallery.compare) == ("model", 240, False)
    with pytest.raises(traitlets.TraitError):
        gallery.group_by = "colour"
    with pytest.raises(traitlets.TraitError):
        gallery.thumb_size = 1000


def test_it_displays_with_a_static_fallback(jobs):
    gallery = Gallery(jobs)
    data, _ = gallery._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == gallery.model_id
    assert jobs[0].images[0].url in data["text/html"] and "<script" not in data["text/html"]
    assert data["text/plain"].startswith("Gallery: 3 images of 3 jobs (1 of 3 jobs failed and made no images")


def test_listed_jobs_are_read_in_full_for_their_images(jobs):
    client = jobs[0].client
    # another client of the account knows none of these jobs: its table holds what the list said
    with ProductAI(api_key=client.api_key, base_url=client.base_url) as other:
        listed = JobsTable(other, status="completed").jobs
        assert all(job.images == () for job in listed)  # a page of the list carries no images
        assert len(Gallery(listed).items) == 3
    # the client that made them lists its own handles, which know the prompts
    gallery = Gallery(JobsTable(client, status="completed").jobs)
    assert {item["prompt"] for item in gallery.items} == {"lamp on oak", "lamp at dusk"}


def test_listed_states_say_why_they_show_no_images(jobs):
    listed = jobs[0].client.jobs.list().jobs  # summaries: no images, no client to read them with
    gallery = Gallery(listed)
    assert gallery.items == []
    hint = "listed jobs carry no images: pass t.jobs, or Gallery(states, client=client)"
    assert gallery.notice.endswith(hint)
    data, _ = gallery._repr_mimebundle_()
    assert hint in data["text/plain"] and hint in data["text/html"]
    assert hint not in Gallery(jobs).notice


def test_a_failed_job_is_named_with_why_it_has_no_images(jobs):
    gallery = Gallery(jobs)
    assert gallery.notice == f"1 of 3 jobs failed and made no images: {jobs[1].id} (generation_failed)."
    assert Gallery([jobs[0], jobs[2]]).notice == ""


def test_listed_states_with_a_client_are_read_in_full(jobs):
    client = jobs[0].client
    with ProductAI(api_key=client.api_key, base_url=client.base_url) as other:
        gallery = Gallery(other.jobs.list().jobs, client=other)
        assert sorted(item["key"] for item in gallery.items) == sorted(
            [f"{jobs[0].id}:0", f"{jobs[0].id}:1", f"{jobs[2].id}:0"]
        )
        assert gallery.notice == f"1 of 3 jobs failed and made no images: {jobs[1].id} (generation_failed)."
        assert repr(gallery).startswith("Gallery: 3 images of 3 jobs (1 of 3 jobs failed")
