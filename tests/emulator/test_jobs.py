"""A job's life as a client sees it: pending, processing with rising progress, then images or an error."""

from __future__ import annotations

import io
from datetime import datetime

import httpx
import pytest
from notebook_waits import wait_until
from PIL import Image

from productai_notebook.contract import ASPECT_RATIOS, FAIL_MARKER
from productai_notebook.emulator.lifecycle import job_duration, plan_timeline, progress_at, status_at

from .helpers import api, create_job, wait_for_status

# Which fields each status shows, exactly as in the Jobs page's examples.
FIELDS_BY_STATUS = {
    "pending": {"job_id", "status", "progress", "created_at", "model", "num_images"},
    "processing": {"job_id", "status", "progress", "created_at", "started_at", "model", "num_images"},
    "completed": {
        "job_id",
        "status",
        "progress",
        "created_at",
        "started_at",
        "completed_at",
        "model",
        "num_images",
        "images",
        "tokens_used",
    },
    "failed": {"job_id", "status", "created_at", "started_at", "failed_at", "error"},
}


def when(text: str) -> datetime:
    assert text.endswith("Z")
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_new_job_is_accepted_as_pending(emu):
    with api(emu) as http:
        created = create_job(http, num_images=2)
    assert set(created) == {"job_id", "status", "created_at", "estimated_time_seconds", "model", "num_images"}
    assert created["job_id"].startswith("job_")
    assert created["status"] == "pending"
    assert created["model"] == "nanobanana2" and created["num_images"] == 2
    assert isinstance(created["estimated_time_seconds"], int) and created["estimated_time_seconds"] >= 1


def test_progress_rises_until_the_job_completes_with_its_images(emu):
    with api(emu) as http:
        job_id = create_job(http, num_images=2)["job_id"]
        seen = []

        def finished():
            job = http.get(f"jobs/{job_id}").json()
            seen.append(job)
            return job["status"] == "completed"

        wait_until(finished, "the job to complete")
    statuses = [job["status"] for job in seen]
    # pending -> processing -> completed, never backwards
    order = {"pending": 0, "processing": 1, "completed": 2}
    assert [order[s] for s in statuses] == sorted(order[s] for s in statuses)
    progress = [job["progress"] for job in seen]
    assert progress == sorted(progress)
    assert all(1 <= job["progress"] <= 99 for job in seen if job["status"] == "processing")
    for job in seen:
        assert set(job) == FIELDS_BY_STATUS[job["status"]]
    done = seen[-1]
    assert done["progress"] == 100 and done["tokens_used"] == 10
    assert when(done["created_at"]) <= when(done["started_at"]) <= when(done["completed_at"])
    assert [(i["width"], i["height"]) for i in done["images"]] == [(1024, 1024)] * 2


def test_a_processing_job_reports_its_progress(emu):
    with api(emu) as http:
        job_id = create_job(http)["job_id"]
        job = wait_for_status(http, job_id, ("processing", "completed"))
    # On a loaded machine the job may already be done; its fields then are the completed ones.
    assert set(job) == FIELDS_BY_STATUS[job["status"]]


def test_a_prompt_with_the_fail_marker_fails_like_the_jobs_page_example(emu):
    with api(emu) as http:
        job_id = create_job(http, prompt=f"a vase {FAIL_MARKER}")["job_id"]
        job = wait_for_status(http, job_id, ("failed", "completed"))
    assert set(job) == FIELDS_BY_STATUS["failed"]
    assert job["error"] == {"code": "generation_failed", "message": "Unable to process the input image"}
    assert when(job["created_at"]) <= when(job["started_at"]) <= when(job["failed_at"])


def test_an_image_url_with_the_fail_marker_fails_too(emu):
    with api(emu) as http:
        job_id = create_job(http, image_url=f"https://example.com/p.png{FAIL_MARKER}")["job_id"]
        assert wait_for_status(http, job_id, ("failed", "completed"))["status"] == "failed"


@pytest.mark.parametrize("aspect_ratio", list(ASPECT_RATIOS))
def test_images_are_jpegs_of_the_aspect_ratio_served_without_a_key(emu, aspect_ratio):
    with api(emu) as http:
        job_id = create_job(http, aspect_ratio=aspect_ratio)["job_id"]
        job = wait_for_status(http, job_id, ("completed",))
    image = job["images"][0]
    assert image["url"].startswith(emu.origin + "/files/")
    response = httpx.get(image["url"], timeout=30)
    assert response.status_code == 200 and response.headers["content-type"] == "image/jpeg"
    picture = Image.open(io.BytesIO(response.content))
    assert picture.format == "JPEG"
    assert picture.size == ASPECT_RATIOS[aspect_ratio] == (image["width"], image["height"])


def test_each_image_of_a_job_is_different_and_stays_the_same(emu):
    with api(emu) as http:
        job = wait_for_status(http, create_job(http, num_images=3)["job_id"], ("completed",))
    pictures = [httpx.get(i["url"], timeout=30).content for i in job["images"]]
    assert len(set(pictures)) == 3
    assert httpx.get(job["images"][0]["url"], timeout=30).content == pictures[0]


def test_images_of_an_unfinished_or_unknown_job_are_not_found(emu):
    with api(emu, timeout=30) as http:
        job_id = create_job(http)["job_id"]
        for path in (f"/files/{job_id}/1.jpg", f"/files/{job_id}/9.jpg", "/files/job_nope/1.jpg"):
            assert httpx.get(emu.origin + path).status_code == 404


def test_an_unknown_job_is_not_found(emu):
    with api(emu) as http:
        response = http.get("jobs/job_doesnotexist")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "job_not_found"


def test_a_seed_fixes_every_jobs_duration():
    assert job_duration(3, 1, (1.0, 9.0)) == job_duration(3, 1, (1.0, 9.0))
    assert job_duration(3, 1, (1.0, 9.0)) != job_duration(3, 2, (1.0, 9.0))
    assert all(1.0 <= job_duration(3, n, (1.0, 9.0)) <= 9.0 for n in range(1, 50))


def test_progress_follows_the_clock():
    timeline = plan_timeline(created_at=100.0, duration=10.0, fails=False)
    assert (status_at(timeline, 100.5), progress_at(timeline, 100.5)) == ("pending", 0)
    assert status_at(timeline, 105.0) == "processing"
    samples = [progress_at(timeline, 101.0 + t / 10) for t in range(90)]
    assert samples == sorted(samples) and 1 <= samples[0] and samples[-1] <= 99
    assert (status_at(timeline, 110.0), progress_at(timeline, 110.0)) == ("completed", 100)
    failing = plan_timeline(created_at=100.0, duration=10.0, fails=True)
    assert status_at(failing, 109.0) == "failed"
