"""Both clients against the in-process emulator over real loopback HTTP."""

from __future__ import annotations

import itertools
from pathlib import Path

import httpx
import pytest
from PIL import Image

from productai_notebook.api import (
    AsyncProductAI,
    AuthenticationError,
    JobFailedError,
    NotFoundError,
    ProductAI,
    RateLimitError,
)
from productai_notebook.contract import FAIL_MARKER, STATUSES
from productai_notebook.emulator import Emulator

SHOE = "https://example.com/shoe.jpg"
FAST = 0.1  # poll fast: the emulator's jobs take about a second
_accounts = itertools.count()


def test_generate_wait_images_download(client: ProductAI, tmp_path: Path) -> None:
    job = client.generate(
        model="nanobanana2", image_url=SHOE, prompt="on marble", num_images=2, aspect_ratio="16:9"
    )
    assert job.status == "pending" and job.prompt == "on marble"
    assert job.wait(timeout=60, poll_interval=FAST) is job
    assert job.status == "completed" and job.progress == 100 and job.tokens_used == 10
    assert [(image.width, image.height) for image in job.images] == [(1024, 576)] * 2
    assert job.completed_at is not None and job.duration is not None and job.duration.total_seconds() > 0
    paths = job.download(tmp_path)
    assert [p.name for p in paths] == [f"{job.id}_0.jpg", f"{job.id}_1.jpg"]
    with Image.open(paths[0]) as picture:
        assert picture.size == (1024, 576)
    assert client.jobs.get(job.id) is job


async def test_async_generate_wait_images(async_client: AsyncProductAI) -> None:
    job = await async_client.generate(model="seedream", image_url=SHOE, prompt="in a forest")
    await job.wait(timeout=60, poll_interval=FAST)
    assert job.status == "completed" and len(job.images) == 1 and job.tokens_used == 3
    again = await async_client.jobs.get(job.id)
    assert again is job


def test_a_failed_job_raises_job_failed_with_its_code(client: ProductAI) -> None:
    job = client.generate(model="nanobanana2", image_url=SHOE, prompt=f"broken {FAIL_MARKER}")
    with pytest.raises(JobFailedError) as caught:
        job.wait(timeout=60, poll_interval=FAST)
    assert caught.value.code == "generation_failed" and caught.value.job is job
    assert job.status == "failed" and job.failed_at is not None and job.images == ()


async def test_async_failed_job_raises_job_failed(async_client: AsyncProductAI) -> None:
    job = await async_client.generate(model="nanobanana2", image_url=SHOE, prompt=f"broken {FAIL_MARKER}")
    with pytest.raises(JobFailedError, match="generation_failed"):
        await job.wait(timeout=60, poll_interval=FAST)


def test_wait_all_and_as_completed_with_a_failure_among_them(client: ProductAI) -> None:
    jobs = [
        client.generate(model="nanobanana2", image_url=SHOE, prompt=prompt)
        for prompt in ("one", f"two {FAIL_MARKER}", "three")
    ]
    finished = list(client.jobs.as_completed(jobs, timeout=60, poll_interval=FAST))
    assert sorted(job.id for job in finished) == sorted(job.id for job in jobs)
    assert [job.status for job in client.jobs.wait_all(jobs, timeout=60)] == [
        "completed",
        "failed",
        "completed",
    ]


async def test_async_wait_all(async_client: AsyncProductAI) -> None:
    jobs = [await async_client.generate(model="nanobanana", image_url=SHOE, prompt=f"p{n}") for n in range(3)]
    done = await async_client.jobs.wait_all(jobs, timeout=60, poll_interval=FAST)
    assert [job.status for job in done] == ["completed"] * 3


def test_list_with_each_status_filter(account: ProductAI) -> None:
    client = account  # a fresh account: counts are exact while other tests make jobs
    jobs = [
        client.generate(model="nanobanana2", image_url=SHOE, prompt=p) for p in ("a", "b", f"c {FAIL_MARKER}")
    ]
    running = client.jobs.list(status="all")
    assert running.total == 3 and {job.status for job in running.jobs} <= {
        "pending",
        "processing",
        "completed",
        "failed",
    }
    for status in STATUSES:
        assert all(job.status == status for job in client.jobs.list(status=status).jobs)
    client.jobs.wait_all(jobs, timeout=60, poll_interval=FAST)
    totals = {status: client.jobs.list(status=status).total for status in (*STATUSES, "all")}
    assert totals == {"pending": 0, "processing": 0, "completed": 2, "failed": 1, "all": 3}
    newest_first = [job.job_id for job in client.jobs.list().jobs]
    assert newest_first == [job.id for job in reversed(jobs)]


@pytest.fixture(scope="module")
def crowded_account(emulator: Emulator) -> tuple[str, set[str]]:
    """An account with 260 jobs (made once for the sync and the async test): its key and job ids."""
    key = f"pk_test_crowded_{next(_accounts)}"
    emulator.add_account(key, plan="enterprise", credits=100_000)
    with ProductAI(key, base_url=emulator.base_url) as client:
        made = {client.generate(model="nanobanana", image_url=SHOE, prompt=f"n{n}").id for n in range(260)}
    return key, made


def test_iter_goes_over_more_than_250_jobs(emulator: Emulator, crowded_account: tuple[str, set[str]]) -> None:
    key, made = crowded_account
    with ProductAI(key, base_url=emulator.base_url) as client:
        seen = [job.job_id for job in client.jobs.iter(page_size=100)]
    assert len(seen) == 260 and set(seen) == made


async def test_async_iter_goes_over_more_than_250_jobs(
    emulator: Emulator, crowded_account: tuple[str, set[str]]
) -> None:
    key, made = crowded_account
    async with AsyncProductAI(key, base_url=emulator.base_url) as client:
        seen = [job.job_id async for job in client.jobs.iter(page_size=100)]
    assert len(seen) == 260 and set(seen) == made


async def test_async_list_with_each_status_filter(account_key: str, emulator: Emulator) -> None:
    async with AsyncProductAI(account_key, base_url=emulator.base_url) as client:
        prompts = ("a", f"b {FAIL_MARKER}")
        jobs = [await client.generate(model="seedream", image_url=SHOE, prompt=p) for p in prompts]
        await client.jobs.wait_all(jobs, timeout=60, poll_interval=FAST)
        totals = {status: (await client.jobs.list(status=status)).total for status in (*STATUSES, "all")}
        failed = (await client.jobs.list(status="failed")).jobs
    assert totals == {"pending": 0, "processing": 0, "completed": 1, "failed": 1, "all": 2}
    assert [job.job_id for job in failed] == [jobs[1].id]


def test_a_wrong_key_is_an_authentication_error(emulator: Emulator) -> None:
    with (
        ProductAI("pk_test_wrong", base_url=emulator.base_url) as client,
        pytest.raises(AuthenticationError) as caught,
    ):
        client.me()
    # a local emulator's keys are not the dashboard's: the hint says which key it takes
    assert "This local emulator refused the key" in str(caught.value)
    assert "emu.api_key" in str(caught.value) and "pk_test_wrong" not in str(caught.value)


async def test_async_wrong_key(emulator: Emulator) -> None:
    async with AsyncProductAI("pk_test_wrong", base_url=emulator.base_url) as client:
        with pytest.raises(AuthenticationError):
            await client.jobs.list()


def test_an_unknown_id_is_not_found(client: ProductAI) -> None:
    with pytest.raises(NotFoundError):
        client.jobs.get("job_doesnotexist")
    with pytest.raises(NotFoundError):
        client.jobs.get("../me")  # stays a job id: never reaches /me


async def test_async_unknown_id(async_client: AsyncProductAI) -> None:
    with pytest.raises(NotFoundError):
        await async_client.jobs.get("job_doesnotexist")


def test_me_and_assets(client: ProductAI) -> None:
    me = client.me()
    assert me.plan == "enterprise" and me.generations > 0
    asset = client.assets.upload(Image.new("RGB", (64, 48), "blue"), name="blue", tags=["test"])
    assert (asset.width, asset.height, asset.tags) == (64, 48, ("test",))
    assert asset.id in {a.id for a in client.assets.list()}
    job = client.generate(model="nanobanana2", asset_id=asset.id, prompt="on a table").wait(
        poll_interval=FAST
    )
    assert job.status == "completed"


def test_a_rate_limited_emulator_is_retried_and_still_correct() -> None:
    with Emulator(api_key="pk_test_busy", job_seconds=(0.2, 0.5), seed=7, faults="429:0.3") as busy:
        with ProductAI("pk_test_busy", base_url=busy.base_url, max_retries=12) as client:
            jobs = [client.generate(model="nanobanana2", image_url=SHOE, prompt=f"p{n}") for n in range(4)]
            client.jobs.wait_all(jobs, timeout=90, poll_interval=FAST)
            assert [job.status for job in jobs] == ["completed"] * 4
            assert client.jobs.list(status="completed").total == 4  # no retry made a second job


def test_a_limit_used_up_by_another_process_says_when_to_retry() -> None:
    with Emulator(api_key="pk_test_free", rate_limit=2) as strict:
        for _ in range(2):  # another process with the same key: this one's engine cannot know
            httpx.get(f"{strict.base_url}/me", headers={"Authorization": "Bearer pk_test_free"})
        with ProductAI("pk_test_free", base_url=strict.base_url) as client:
            with pytest.raises(RateLimitError) as caught:
                client.with_options(max_retries=0).me()
    assert caught.value.retry_after is not None and caught.value.retry_after > 0


async def test_async_client_is_retried_through_a_rate_limited_emulator() -> None:
    with Emulator(api_key="pk_test_busy_async", job_seconds=(0.2, 0.5), seed=8, faults="429:0.3") as busy:
        async with AsyncProductAI("pk_test_busy_async", base_url=busy.base_url, max_retries=12) as client:
            jobs = [
                await client.generate(model="nanobanana2", image_url=SHOE, prompt=f"p{n}") for n in range(4)
            ]
            await client.jobs.wait_all(jobs, timeout=90, poll_interval=FAST)
            assert [job.status for job in jobs] == ["completed"] * 4
            assert (await client.jobs.list(status="completed")).total == 4  # no retry made a second job
