"""The emulator can play a stricter or vaguer server than the one documented here: no rate-limit
headers, a short rate window, list pages in no particular order, list items without progress, and
estimates that are wrong by up to half. Clients are tested against each."""

from __future__ import annotations

import time
from datetime import datetime

import pytest
from notebook_waits import wait_until

from productai_notebook.emulator import Emulator
from productai_notebook.emulator.__main__ import parser

from .helpers import api, create_job


def test_without_rate_limit_headers_a_429_still_says_when_to_retry():
    with Emulator(api_key="pk_test_quiet", rate_limit=2, rate_limit_headers=False) as e, api(e) as http:
        answers = [http.get("me") for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    for response in answers:
        assert not [name for name in response.headers if name.lower().startswith("x-ratelimit-")]
    assert int(answers[-1].headers["Retry-After"]) >= 1


def test_a_short_rate_window_frees_its_requests_in_seconds():
    with Emulator(api_key="pk_test_window", rate_limit=2, rate_window=1.0) as e, api(e) as http:
        first = [http.get("me").status_code for _ in range(3)]
        refused_for = int(http.get("me").headers["Retry-After"])
        time.sleep(1.1)
        again = http.get("me")
    assert first == [200, 200, 429]
    assert refused_for == 1
    assert again.status_code == 200
    assert again.headers["X-RateLimit-Limit"] == "2"


def _created(job: dict) -> datetime:
    return datetime.fromisoformat(job["created_at"].replace("Z", "+00:00"))


def test_shuffled_pages_hold_the_same_jobs_in_another_order():
    with (
        Emulator(api_key="pk_test_shuffle", job_seconds=(30, 30), list_order="shuffled") as e,
        api(e) as http,
    ):
        made = {create_job(http)["job_id"] for _ in range(12)}
        pages = [http.get("jobs", params={"limit": 100}).json()["jobs"] for _ in range(5)]
    for jobs in pages:
        assert {job["job_id"] for job in jobs} == made
    orders = [[job["job_id"] for job in jobs] for jobs in pages]
    newest_first = sorted(pages[0], key=_created, reverse=True)
    assert any(order != [job["job_id"] for job in newest_first] for order in orders)


def test_list_items_can_leave_progress_out():
    with Emulator(api_key="pk_test_noprog", job_seconds=(2, 2), list_progress=False) as e, api(e) as http:
        job = create_job(http)
        wait_until(lambda: http.get(f"jobs/{job['job_id']}").json()["status"] == "processing", "processing")
        (item,) = http.get("jobs").json()["jobs"]
        alone = http.get(f"jobs/{job['job_id']}").json()
    assert item["status"] == "processing"
    assert "progress" not in item
    assert alone["progress"] >= 1  # the job's own read keeps it


@pytest.mark.parametrize("error", [0.0, 0.5])
def test_estimates_are_true_or_wrong_by_up_to_the_share_given(error):
    with (
        Emulator(api_key="pk_test_est", job_seconds=(10, 20), estimate_error=error, seed=3) as e,
        api(e) as http,
    ):
        answers = [create_job(http) for _ in range(20)]
        jobs = {
            job["job_id"]: e._store.job(e._store.account(e.api_key).user_id, job["job_id"]) for job in answers
        }
    ratios = []
    for answer in answers:
        timeline = jobs[answer["job_id"]].timeline
        true = timeline.ends_at - timeline.created_at
        ratios.append(answer["estimated_time_seconds"] / true)
    if error == 0:
        assert all(1 <= ratio < 1 + 1 / 10 for ratio in ratios)  # rounded up to whole seconds
    else:
        assert all(0.5 - 0.01 <= ratio <= 1.5 + 1 / 10 for ratio in ratios)
        assert min(ratios) < 0.85 and max(ratios) > 1.15  # really off, both ways


def test_the_command_line_has_each_switch():
    args = parser().parse_args(
        [
            "--no-rate-limit-headers",
            "--list-order",
            "shuffled",
            "--no-list-progress",
            "--estimate-error",
            "0.5",
            "--rate-window",
            "6",
        ]
    )
    assert (args.rate_limit_headers, args.list_order, args.list_progress) == (False, "shuffled", False)
    assert (args.estimate_error, args.rate_window) == (0.5, 6.0)


def test_unknown_switch_values_are_refused():
    with pytest.raises(ValueError, match="list_order"):
        Emulator(list_order="oldest")
    with pytest.raises(ValueError, match="estimate_error"):
        Emulator(estimate_error=1.5)
