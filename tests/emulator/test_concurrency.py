"""Many clients at once: every create becomes its own job, and credits add up exactly."""

from __future__ import annotations

import asyncio

import httpx

from productai_notebook.contract import CREDITS_PER_IMAGE


async def test_100_concurrent_creates_make_100_distinct_jobs(emu, new_account):
    key = new_account(credits=10_000)
    headers = {"Authorization": f"Bearer {key}"}
    limits = httpx.Limits(max_connections=100)
    async with httpx.AsyncClient(
        base_url=emu.base_url + "/", headers=headers, timeout=60, limits=limits
    ) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    "generate",
                    json={
                        "model": "seedream",
                        "prompt": f"product {n}",
                        "image_url": "https://example.com/p.png",
                    },
                )
                for n in range(100)
            )
        )
        assert [r.status_code for r in responses] == [202] * 100
        ids = {r.json()["job_id"] for r in responses}
        listed = (await http.get("jobs", params={"limit": 100})).json()
        me = (await http.get("me")).json()
    assert len(ids) == 100
    assert listed["total"] == 100 and {j["job_id"] for j in listed["jobs"]} == ids
    assert me["credits"]["generations"] == 10_000 - 100 * CREDITS_PER_IMAGE["seedream"]


async def test_concurrent_creates_never_overspend_credits(emu, new_account):
    key = new_account(credits=5 * 7)  # room for exactly 7 nanobanana2 images
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=emu.base_url + "/", headers=headers, timeout=60) as http:
        responses = await asyncio.gather(
            *(
                http.post(
                    "generate",
                    json={"model": "nanobanana2", "prompt": "p", "image_url": "https://e.com/p.png"},
                )
                for _ in range(20)
            )
        )
        me = (await http.get("me")).json()
    assert sorted(r.status_code for r in responses) == [202] * 7 + [403] * 13
    assert me["credits"]["generations"] == 0
