"""The client's own decisions, against a scripted server: checks before sending, paths, headers, handles."""

from __future__ import annotations

import io
import json
import os
import stat
import threading
from pathlib import Path

import httpx
import pytest
from api_helpers import BASE, KEY, Script, answer, job_json, mock_async_client, mock_client
from PIL import Image

from productai_notebook.api import (
    InvalidArgumentError,
    Job,
    JobFailedError,
    JobState,
    JobTimeoutError,
    ProductAI,
)
from productai_notebook.api import job as job_module
from productai_notebook.api.engine.cadence import Cadence

SHOE = "https://example.com/shoe.jpg"


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"model": "dalle", "image_url": SHOE, "prompt": "x"}, "model"),
        ({"model": "nanobanana2", "prompt": "x"}, "image_url"),
        ({"model": "nanobanana2", "image_url": SHOE, "asset_id": "asset_1", "prompt": "x"}, "image_url"),
        ({"model": "nanobanana2", "image_url": "file:///etc/passwd", "prompt": "x"}, "image_url"),
        ({"model": "nanobanana2", "image_url": SHOE}, "prompt"),
        ({"model": "nanobanana2", "image_url": SHOE, "prompt": "x", "num_images": 5}, "num_images"),
        ({"model": "nanobanana2", "image_url": SHOE, "prompt": "x", "num_images": 0}, "num_images"),
        ({"model": "nanobanana2", "image_url": SHOE, "prompt": "x", "aspect_ratio": "2:1"}, "aspect_ratio"),
    ],
)
def test_generate_checks_the_documented_constraints_before_sending(arguments: dict, field: str) -> None:
    script = Script(answer(500))
    with mock_client(script) as client, pytest.raises(InvalidArgumentError) as caught:
        client.generate(**arguments)
    assert caught.value.field == field and str(caught.value).startswith(field)
    assert script.requests == []


def test_generate_sends_the_documented_body_with_bearer_auth_and_user_agent() -> None:
    script = Script(answer(202, {"job_id": "job_1", "status": "pending", "estimated_time_seconds": 30}))
    with mock_client(script) as client:
        job = client.generate(model="kontext-pro", asset_id="asset_9", preset_id="studio", num_images=3)
    (request,) = script.requests
    assert request.method == "POST" and request.url == f"{BASE}/generate"
    assert json.loads(request.content) == {
        "model": "kontext-pro",
        "asset_id": "asset_9",
        "preset_id": "studio",
        "num_images": 3,
        "aspect_ratio": "1:1",
    }
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["User-Agent"].startswith("productai-notebook/")
    assert job.status == "pending" and job.estimated_time_seconds == 30 and job.client is client


@pytest.mark.parametrize("job_id", ["../me", "job_1/../../me", "job?status=all", "job#x", "..", ".", "a b"])
def test_a_job_id_stays_one_path_segment(job_id: str) -> None:
    script = Script(answer(200, job_json(job_id=job_id)))
    with mock_client(script) as client:
        client.jobs.get(job_id)
    raw = script.requests[0].url.raw_path.decode()
    assert raw.startswith("/v1/jobs/") and "/" not in raw[len("/v1/jobs/") :]
    assert "?" not in raw and "#" not in raw and raw.rsplit("/", 1)[1] not in (".", "..")


def test_list_sends_its_filters_and_refuses_a_limit_over_100() -> None:
    page = {"jobs": [job_json()], "total": 1, "limit": 10, "offset": 5, "has_more": False}
    script = Script(answer(200, page))
    with mock_client(script) as client:
        result = client.jobs.list(limit=10, offset=5, status="completed")
        assert dict(script.requests[0].url.params) == {"limit": "10", "offset": "5", "status": "completed"}
        assert result.total == 1 and result.jobs[0].job_id == "job_abc123xyz"
        with pytest.raises(InvalidArgumentError, match="100"):
            client.jobs.list(limit=101)
        with pytest.raises(InvalidArgumentError, match="status"):
            client.jobs.list(status="done")


def test_iter_walks_every_page_and_skips_jobs_shifted_by_new_ones() -> None:
    def pages(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        # a job created mid-walk shifts everything by one: job_2 shows up on both pages
        ids = {0: ["job_0", "job_1", "job_2"], 3: ["job_2", "job_3", "job_4"], 6: ["job_5"]}[offset]
        return answer(
            200,
            {
                "jobs": [job_json(i) for i in ids],
                "total": 7,
                "limit": 3,
                "offset": offset,
                "has_more": offset < 6,
            },
        )

    with mock_client(Script(pages)) as client:
        assert [job.job_id for job in client.jobs.iter(page_size=3)] == [f"job_{n}" for n in range(6)]


def test_one_handle_per_job_and_an_ended_job_is_not_read_again() -> None:
    script = Script(answer(200, job_json(status="completed", progress=100)))
    with mock_client(script) as client:
        first = client.jobs.get("job_abc123xyz")
        assert client.jobs.get("job_abc123xyz") is first
    assert len(script.requests) == 1


def test_wait_polls_until_completed_and_reports_progress() -> None:
    # on_progress is handed the job and reads its latest state: two answers that come before the
    # waiting thread runs are one report. So the end is answered once 60 was reported (or after 10 s).
    reported_60 = threading.Event()
    completed = answer(
        200, job_json(status="completed", progress=100, images=[{"url": SHOE, "width": 8, "height": 8}])
    )

    def completed_once_60_was_reported(_request: httpx.Request) -> httpx.Response:
        reported_60.wait(timeout=10)  # (a wait that never reports 60 still ends, and fails below)
        return completed

    script = Script(
        answer(200, job_json(progress=10)), answer(200, job_json(progress=60)), completed_once_60_was_reported
    )
    seen: list[int] = []

    def on_progress(job: Job) -> None:
        seen.append(job.progress)
        if job.progress == 60:
            reported_60.set()

    with mock_client(script) as client:
        job = client.jobs.get("job_abc123xyz")
        assert job.wait(timeout=30, poll_interval=0.01, on_progress=on_progress) is job
    assert seen == [60, 100] and job.images[0].url == SHOE


def test_wait_raises_job_failed_with_its_code() -> None:
    failed = job_json(status="failed", error={"code": "generation_failed", "message": "bad image"})
    with mock_client(Script(answer(200, job_json()), answer(200, failed))) as client:
        job = client.jobs.get("job_abc123xyz")
        with pytest.raises(JobFailedError) as caught:
            job.wait(poll_interval=0.01)
    assert (
        caught.value.job is job
        and caught.value.code == "generation_failed"
        and "bad image" in str(caught.value)
    )


def test_wait_has_a_deadline() -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        job = client.jobs.get("job_abc123xyz")
        with pytest.raises(JobTimeoutError) as caught:
            job.wait(timeout=0.2, poll_interval=0.05)
    assert caught.value.job is job and "still processing" in str(caught.value)


def test_wait_all_returns_every_job_in_order_one_failure_not_hiding_the_others() -> None:
    states = {
        "job_a": [job_json("job_a"), job_json("job_a", status="completed", progress=100)],
        "job_b": [job_json("job_b", status="failed", error={"code": "generation_failed", "message": "x"})],
        "job_c": [job_json("job_c"), job_json("job_c"), job_json("job_c", status="completed", progress=100)],
    }

    def next_state(job_id: str) -> dict:
        queue = states[job_id]
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/jobs"):  # a round's listing: every job moves on a step
            jobs = [{k: v for k, v in next_state(i).items() if k != "error"} for i in states]
            return answer(200, {"jobs": jobs, "total": 3, "limit": 100, "offset": 0, "has_more": False})
        return answer(200, next_state(request.url.path.rsplit("/", 1)[1]))

    with mock_client(Script(server)) as client:
        jobs = [client.jobs.get(i) for i in ("job_a", "job_b", "job_c")]
        finished = [job.id for job in client.jobs.as_completed(jobs, poll_interval=0.01)]
        assert sorted(finished) == ["job_a", "job_b", "job_c"] and finished[0] == "job_b"
        done = client.jobs.wait_all(jobs, poll_interval=0.01)
    assert [job.status for job in done] == ["completed", "failed", "completed"]


def test_a_wait_yields_the_jobs_in_the_order_they_ended_not_the_order_given() -> None:
    from productai_notebook.api.engine.waits import JobsWait
    from productai_notebook.api.models import JobState

    def failed(job_id: str) -> JobState:
        return JobState.parse(job_json(job_id, status="failed", error={"code": "c", "message": "m"}))

    with mock_client(Script(answer(200, job_json("job_x")))) as client:
        first, second, third = (Job(client, JobState.parse(job_json(i))) for i in ("job_a", "job_b", "job_c"))
        third.offer_state(failed("job_c"))
        waiting = JobsWait([first, second, third], timeout=60, poll_interval=30, now=0.0, wake=lambda: None)
        try:
            for job in (second, first):  # b ends before a
                job.offer_state(failed(job.id))
            assert [job.id for job in waiting.ended()] == ["job_c", "job_b", "job_a"]
        finally:
            waiting.close()


def test_adaptive_polling_stays_in_the_band_and_aims_at_the_expected_finish() -> None:
    planner = Cadence()
    pending = JobState.parse({"job_id": "j", "status": "pending", "estimated_time_seconds": 30})
    planner.observe(pending, now=0.0)
    assert planner.next_delay(pending, now=0.0) == 5.0  # far from done: the band's top
    planner.observe(JobState.parse({"job_id": "j", "status": "processing", "progress": 10}), now=10.0)
    moving = JobState.parse({"job_id": "j", "status": "processing", "progress": 90})
    planner.observe(moving, now=12.0)  # 40 %/s: done in a quarter second
    assert planner.next_delay(moving, now=12.0) == 2.0
    odd = JobState.parse({"job_id": "j", "status": "mystery"})
    planner.observe(odd, now=13.0)
    planner.observe(odd, now=15.0)
    assert planner.next_delay(odd, now=15.0) == 4.0  # an unknown status backs off
    assert Cadence(0.1).next_delay(pending, now=0.0) == 0.1


def test_observers_run_once_per_change_and_never_after_the_end() -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        job = client.jobs.get("job_abc123xyz")
    calls: list[str] = []
    stop = job.observe(lambda j: calls.append(j.status))
    assert job.offer_state(job.state) is False
    assert job.offer_state(JobState.parse(job_json(progress=50))) is True
    assert job.offer_state(JobState.parse(job_json(status="completed", progress=100))) is True
    assert job.offer_state(JobState.parse(job_json(progress=70))) is False
    stop()
    assert calls == ["processing", "completed"] and job.status == "completed"


def test_apply_is_safe_from_many_threads() -> None:
    with mock_client(Script(answer(200, job_json(progress=0)))) as client:
        job = client.jobs.get("job_abc123xyz")
    calls: list[int] = []
    job.observe(lambda j: calls.append(j.progress))
    threads = [
        threading.Thread(target=job.offer_state, args=(JobState.parse(job_json(progress=p)),))
        for p in range(1, 60)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(calls) <= 59 and job.progress in range(1, 60)


def test_a_job_displays_through_the_hook_or_as_text(monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        job = client.jobs.get("job_abc123xyz")
    from productai_notebook.api import _display

    monkeypatch.setitem(_display._hooks, "job", None)
    assert job._repr_mimebundle_() == {"text/plain": "<Job job_abc123xyz processing 45%>"}

    class View:
        def _repr_mimebundle_(self, include: object = None, exclude: object = None) -> dict[str, str]:
            return {"text/html": f"<b>{job.id}</b>"}

    job_module.set_display_hook(lambda j: View())
    assert job._repr_mimebundle_() == {"text/html": "<b>job_abc123xyz</b>"}


def api_and_image_host(image_urls: list[str], image_type: str = "image/png") -> Script:
    """The API, with a completed job of these images, and their host: PNG bytes, sent no key."""
    done = job_json(status="completed", progress=100, images=[{"url": url} for url in image_urls])

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.host == "cdn.example.test":
            assert "Authorization" not in request.headers
            return httpx.Response(200, content=b"\x89PNG\r\n\x1a\nfake", headers={"content-type": image_type})
        return answer(200, done)

    return Script(server)


def test_download_saves_stable_names_without_sending_the_key(tmp_path: Path) -> None:
    urls = ["https://cdn.example.test/a/1.png", "https://cdn.example.test/a/2"]
    with mock_client(api_and_image_host(urls, "image/webp")) as client:
        paths = client.jobs.get("job_abc123xyz").download(tmp_path / "out")
    assert [p.name for p in paths] == ["job_abc123xyz_0.png", "job_abc123xyz_1.webp"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)


@pytest.mark.skipif(os.name != "posix", reason="file modes and the umask are POSIX")
@pytest.mark.parametrize("umask", [0o022, 0o002, 0o077], ids=oct)
def test_downloaded_images_get_the_mode_any_new_file_gets(tmp_path: Path, umask: int) -> None:
    before = os.umask(umask)
    try:
        (tmp_path / "notes.txt").write_text("a file the user saves")
        with mock_client(api_and_image_host(["https://cdn.example.test/1.png"])) as client:
            (path,) = client.jobs.get("job_abc123xyz").download(tmp_path)
    finally:
        os.umask(before)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE((tmp_path / "notes.txt").stat().st_mode)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask


def test_download_of_an_unfinished_job_says_to_wait(tmp_path: Path) -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        with pytest.raises(Exception, match="wait for it first"):
            client.jobs.get("job_abc123xyz").download(tmp_path)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("kind", ["path", "bytes", "file", "pil"])
def test_upload_takes_a_path_bytes_a_file_or_a_pil_image(kind: str, tmp_path: Path) -> None:
    (tmp_path / "shoe.png").write_bytes(_png())
    source = {
        "path": tmp_path / "shoe.png",
        "bytes": _png(),
        "file": io.BytesIO(_png()),
        "pil": Image.new("RGB", (4, 4)),
    }[kind]
    script = Script(answer(201, {"asset_id": "asset_1", "status": "ready", "tags": ["a", "b"]}))
    with mock_client(script) as client:
        asset = client.assets.upload(source, name="shoe", tags=["a", "b"])
    body = script.requests[0].content
    assert asset.id == "asset_1" and b'name="file"' in body and b"\x89PNG" in body
    assert b'name="tags[]"' in body and b'name="name"' in body


def test_upload_refuses_what_is_not_an_image() -> None:
    script = Script(answer(201, {"asset_id": "asset_1"}))
    with mock_client(script) as client, pytest.raises(InvalidArgumentError, match="file"):
        client.assets.upload(b"hello")
    assert script.requests == []


def test_settings_and_with_options_share_the_connection_not_the_key_in_text() -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        quick = client.with_options(timeout=1.5, max_retries=0)
        assert quick.settings.timeout.read == 1.5 and quick.settings.max_retries == 0
        assert quick.settings.base_url == client.settings.base_url == BASE
        assert quick.connection_pool() is client.connection_pool()
        quick.close()  # a derived client never closes the shared pool
        job = client.jobs.get("job_abc123xyz")
        assert job.progress == 45 and quick.jobs.get("job_abc123xyz") is job  # one handle per job
        assert job.client is client
        assert KEY not in repr(client) and KEY not in repr(client.settings) and BASE in repr(client)
        again = ProductAI.from_settings(client.settings)
        assert again.settings == client.settings
        again.close()


def test_the_key_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRODUCTAI_API_KEY", "pk_env")
    monkeypatch.setenv("PRODUCTAI_BASE_URL", "http://127.0.0.1:9/v1/")
    with ProductAI() as client:
        assert client.settings.api_key == "pk_env" and client.base_url == "http://127.0.0.1:9/v1"
    monkeypatch.delenv("PRODUCTAI_API_KEY")
    with pytest.raises(Exception, match="PRODUCTAI_API_KEY"):
        ProductAI()


def test_job_is_the_public_handle() -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        job = client.jobs.get("job_abc123xyz")
    assert isinstance(job, Job) and job.to_dict()["progress"] == 45 and job.selected == []


def test_download_follows_the_image_hosts_redirect_and_never_sends_the_key(tmp_path: Path) -> None:
    images = [
        {"url": "https://cdn.example.test/a/1.png", "width": 8, "height": 8},
        {"url": "https://cdn.example.test/a/2.png", "width": 8, "height": 8},
    ]
    done = job_json(status="completed", progress=100, images=images)
    image_requests: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.example.test" and request.url.path.startswith("/v1/jobs/"):
            return answer(200, done)
        image_requests.append(request)
        if request.url.path == "/a/1.png":  # the CDN moved it to another host
            return httpx.Response(302, headers={"Location": "https://images.other.test/1.png"})
        if request.url.path == "/a/2.png":  # or back to the API's own host, which must not get the key
            return httpx.Response(302, headers={"Location": f"{BASE}/files/2.png"})
        return httpx.Response(200, content=b"\x89PNG\r\n\x1a\nfake", headers={"content-type": "image/png"})

    with mock_client(Script(server)) as client:
        paths = client.jobs.get("job_abc123xyz").download(tmp_path)
    assert [p.name for p in paths] == ["job_abc123xyz_0.png", "job_abc123xyz_1.png"]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in paths)
    assert [r.url.host for r in image_requests] == [
        "cdn.example.test", "images.other.test", "cdn.example.test", "api.example.test"
    ]
    assert all("Authorization" not in r.headers and KEY not in str(r.headers) for r in image_requests)


@pytest.mark.parametrize("asynchronous", [False, True])
async def test_generate_sends_every_argument_it_is_given(asynchronous: bool) -> None:
    script = Script(answer(202, job_json(status="pending", progress=0)))
    arguments = {
        "model": "seedream",
        "asset_id": "asset_1",
        "prompt": "on marble",
        "preset_id": "preset_9",
        "num_images": 3,
        "aspect_ratio": "16:9",
        "webhook_url": "https://hooks.example.test/in",
    }
    if asynchronous:
        async with mock_async_client(script) as aclient:
            await aclient.generate(**arguments)
    else:
        with mock_client(script) as client:
            client.generate(**arguments)
    assert json.loads(script.requests[0].content) == arguments


@pytest.mark.parametrize("poll_interval", [0, -1.0, (0, 2.0), (3.0, 2.0), float("nan"), (1.0,)])
def test_a_poll_interval_that_is_not_positive_seconds_names_poll_interval(poll_interval: object) -> None:
    with mock_client(Script(answer(200, job_json()))) as client:
        job = client.jobs.get("job_abc123xyz")
        with pytest.raises(InvalidArgumentError, match="poll_interval") as caught:
            job.wait(timeout=5, poll_interval=poll_interval)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)  # callers that caught ValueError still do


def test_a_listed_ended_job_says_its_images_are_not_read_yet() -> None:
    page = {
        "jobs": [
            {"job_id": "job_done", "status": "completed", "created_at": "2024-01-15T10:30:00Z"},
            {"job_id": "job_bad", "status": "failed", "created_at": "2024-01-15T10:30:00Z"},
        ],
        "total": 2,
        "limit": 20,
        "offset": 0,
        "has_more": False,
    }
    full = job_json("job_done", "completed", 100, images=[{"url": "https://cdn.example.test/1.png"}])
    with mock_client(Script(answer(200, page), answer(200, full))) as client:
        listed = [client.listed_job(state) for state in client.jobs.list().jobs]
        assert [repr(job) for job in listed] == [
            "<Job job_done completed (listed: refresh() for its images)>",
            "<Job job_bad failed (listed: refresh() for its error)>",
        ]
        assert repr(listed[0].refresh()) == "<Job job_done completed 1 image>"


def test_paging_yields_each_job_once_when_a_job_is_created_between_pages() -> None:
    from productai_notebook.api import JobPage, JobPages

    def page(ids: list[str], has_more: bool) -> JobPage:
        jobs = [{"job_id": i, "status": "completed"} for i in ids]
        return JobPage.parse({"jobs": jobs, "total": 5, "limit": 2, "offset": 0, "has_more": has_more})

    pages = JobPages(2)
    first = pages.take(page(["j5", "j4"], True))
    # a new job at the top pushed j4 onto the second page
    second = pages.take(page(["j4", "j3"], True))
    assert [j.job_id for j in first + second] == ["j5", "j4", "j3"]
    assert pages.offset == 4 and pages.more
