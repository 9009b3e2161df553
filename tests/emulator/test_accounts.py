"""Accounts: each key sees only its own jobs and assets, and pays for what it generates."""

from __future__ import annotations

from productai_notebook.contract import CREDITS_PER_IMAGE, FAIL_MARKER

from .helpers import api, create_job, wait_for_status


def credits(http) -> int:
    return http.get("me").json()["credits"]["generations"]


def test_me_describes_the_account_without_its_key(emu, new_account):
    key = new_account(plan="free", credits=42)
    with api(emu, key) as http:
        response = http.get("me")
    me = response.json()
    assert set(me) == {"id", "email", "plan", "credits"}
    assert me["plan"] == "free" and me["credits"] == {"generations": 42}
    assert key not in response.text


def test_the_default_account_has_credits_for_hundreds_of_jobs(emu):
    with api(emu) as http:
        assert credits(http) >= 100_000


def test_a_completed_job_uses_its_models_credits_per_image(emu, new_account):
    with api(emu, new_account(credits=1000)) as http:
        job = wait_for_status(
            http, create_job(http, model="gpt-high", num_images=3)["job_id"], ("completed",)
        )
        assert job["tokens_used"] == CREDITS_PER_IMAGE["gpt-high"] * 3
        assert credits(http) == 1000 - job["tokens_used"]


def test_a_failed_job_uses_no_credits(emu, new_account):
    with api(emu, new_account(credits=1000)) as http:
        wait_for_status(http, create_job(http, prompt=f"x {FAIL_MARKER}")["job_id"], ("failed",))
        assert credits(http) == 1000


def test_without_enough_credits_no_job_is_created(emu, new_account):
    with api(emu, new_account(credits=7)) as http:
        create_job(http, model="nanobanana2")  # 5 credits
        response = http.post(
            "generate",
            json={"model": "nanobanana2", "prompt": "again", "image_url": "https://example.com/a.png"},
        )
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "insufficient_credits"
        assert "credits" in response.json()["error"]["message"]
        assert credits(http) == 2
        assert http.get("jobs").json()["total"] == 1


def test_another_accounts_job_is_not_found_and_not_listed(emu, new_account):
    alice, bob = new_account(), new_account()
    with api(emu, alice) as a, api(emu, bob) as b:
        job_id = create_job(a)["job_id"]
        response = b.get(f"jobs/{job_id}")
        assert response.status_code == 404 and response.json()["error"]["code"] == "job_not_found"
        assert b.get("jobs").json()["total"] == 0
        assert [j["job_id"] for j in a.get("jobs").json()["jobs"]] == [job_id]


def test_a_missing_or_wrong_key_is_unauthorized(emu):
    for headers in (
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer"},
    ):
        with api(emu) as http:
            http.headers.pop("Authorization")
            response = http.get("me", headers=headers)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthorized"
