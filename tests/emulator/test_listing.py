"""`GET /v1/jobs`: newest first, pages with has_more, and a status filter."""

from __future__ import annotations

import pytest

from productai_notebook.contract import FAIL_MARKER

from .helpers import api, create_job, wait_for_status


@pytest.fixture(scope="module")
def four_jobs(emu):
    """An account with 3 completed jobs and 1 failed one."""
    key = "pk_test_listing"
    emu.add_account(key)
    with api(emu, key) as http:
        ids = [create_job(http, prompt=f"product {n}")["job_id"] for n in range(3)]
        ids.append(create_job(http, prompt=f"broken {FAIL_MARKER}")["job_id"])
        for job_id in ids:
            wait_for_status(http, job_id, ("completed", "failed"))
    return key, ids


def test_jobs_are_listed_newest_first_with_the_page_fields(emu, four_jobs):
    key, ids = four_jobs
    with api(emu, key) as http:
        page = http.get("jobs").json()
    assert set(page) == {"jobs", "total", "limit", "offset", "has_more"}
    assert (page["total"], page["limit"], page["offset"], page["has_more"]) == (4, 20, 0, False)
    assert [j["job_id"] for j in page["jobs"]] == ids[::-1]
    completed = page["jobs"][1]
    assert {"job_id", "status", "model", "num_images", "created_at", "completed_at"} <= set(completed)
    assert "images" not in completed


def test_pages_walk_every_job_once(emu, four_jobs):
    key, ids = four_jobs
    seen = []
    with api(emu, key) as http:
        for offset in range(0, 4, 3):
            page = http.get("jobs", params={"limit": 3, "offset": offset}).json()
            seen += [j["job_id"] for j in page["jobs"]]
            assert page["has_more"] == (offset + 3 < 4)
        beyond = http.get("jobs", params={"offset": 10}).json()
    assert seen == ids[::-1]
    assert beyond["jobs"] == [] and beyond["total"] == 4 and beyond["has_more"] is False


@pytest.mark.parametrize(
    ("status", "count"), [("completed", 3), ("failed", 1), ("processing", 0), ("pending", 0), ("all", 4)]
)
def test_the_status_filter(emu, four_jobs, status, count):
    key, _ = four_jobs
    with api(emu, key) as http:
        page = http.get("jobs", params={"status": status}).json()
    assert page["total"] == count == len(page["jobs"])
    assert all(j["status"] == status for j in page["jobs"]) or status == "all"


def test_a_job_in_progress_is_filtered_by_its_current_status(emu, new_account):
    with api(emu, new_account()) as http:
        job_id = create_job(http)["job_id"]
        statuses = {
            s: [j["job_id"] for j in http.get("jobs", params={"status": s}).json()["jobs"]]
            for s in ("pending", "processing", "completed")
        }
    assert sum(job_id in ids for ids in statuses.values()) == 1


@pytest.mark.parametrize(
    "params",
    [{"limit": 0}, {"limit": 101}, {"limit": "ten"}, {"offset": -1}, {"offset": 10**30}, {"status": "done"}],
)
def test_out_of_range_list_parameters_are_refused(emu, params):
    with api(emu) as http:
        response = http.get("jobs", params=params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["message"].startswith(next(iter(params)))
