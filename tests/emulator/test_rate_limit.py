"""Rate limits: over the plan's requests per minute a client gets 429 with Retry-After."""

from __future__ import annotations

import pytest

from productai_notebook.emulator import Emulator

from .helpers import api


@pytest.fixture(scope="module")
def limited():
    with Emulator(api_key="pk_test_limited", plan="free", job_seconds=(0.4, 1.2)) as e:
        yield e


def test_the_free_plan_allows_10_requests_a_minute_then_429(limited):
    with api(limited) as http:
        answers = [http.get("me") for _ in range(11)]
    assert [r.status_code for r in answers] == [200] * 10 + [429]
    assert [int(r.headers["X-RateLimit-Remaining"]) for r in answers[:10]] == list(range(9, -1, -1))
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "rate_limit_exceeded"
    assert refused.headers["X-RateLimit-Limit"] == "10"
    assert refused.headers["X-RateLimit-Remaining"] == "0"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    assert 0 <= int(refused.headers["X-RateLimit-Reset"]) <= 60


def test_each_account_has_its_own_budget_and_plan(limited):
    limited.add_account("pk_test_pro_neighbour", plan="pro")
    with api(limited, "pk_test_pro_neighbour") as http:
        response = http.get("me")
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Limit"] == "60"


def test_a_rate_limit_option_overrides_the_plans():
    with Emulator(api_key="pk_test_three", plan="enterprise", rate_limit=3) as e, api(e) as http:
        codes = [http.get("jobs").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]


def test_the_emulator_counts_each_keys_requests_by_answer_and_route():
    with Emulator(api_key="pk_test_counted", rate_limit=3, faults=None) as e, api(e) as http:
        http.get("jobs")
        http.get("jobs/job_nope")
        http.get("me")
        http.get("me")
        with api(e, "pk_test_somebody_else") as stranger:
            stranger.get("me")
        counted = e.requests()
        strangers = e.requests("pk_test_somebody_else")
    assert counted["statuses"] == {"200": 2, "404": 1, "429": 1}
    assert counted["routes"] == {"get_job": 1, "list_jobs": 1, "me": 2}
    assert strangers["statuses"] == {"401": 1}
