"""Thumbnails that travel with the notebook: small, made once, within each widget's budget, off on request."""

from __future__ import annotations

import io
import random
from concurrent.futures import Future

import pytest
from fake_clock import FakeClock
from notebook_waits import wait_until
from page_messages import send_from_browser
from PIL import Image
from widget_outputs import record_outputs

from productai_notebook import Gallery, JobView, config
from productai_notebook.api import Job, ProductAI
from productai_notebook.notebook import job_view, thumbnails
from productai_notebook.notebook._timers import Timers
from productai_notebook.notebook.thumbnails import make_thumbnail


def photo(width: int = 1024, height: int = 768, mode: str = "RGB", fmt: str = "JPEG") -> bytes:
    """Noisy, like a photo: a flat test image would shrink to almost nothing and prove little."""
    rng = random.Random(7)
    image = Image.new(mode, (width, height))
    image.putdata([tuple(rng.randrange(256) for _ in mode) for _ in range(width * height)])
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def done_job(client: ProductAI, num_images: int = 2) -> Job:
    job = client.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt="a",
                          num_images=num_images)
    return job.wait(timeout=60, poll_interval=0.1)


def test_a_thumbnail_is_a_small_jpeg_within_the_budget():
    made = make_thumbnail(photo(), edge=256, max_bytes=30_000)
    assert made is not None and len(made) <= 30_000
    with Image.open(io.BytesIO(made)) as image:
        assert image.format == "JPEG" and max(image.size) == 256 and image.size == (256, 192)


def test_transparency_turns_white_and_what_is_no_image_gives_none(monkeypatch):
    clear = io.BytesIO()
    Image.new("RGBA", (64, 64), (0, 0, 0, 0)).save(clear, "PNG")
    made = make_thumbnail(clear.getvalue(), edge=32, max_bytes=30_000)
    assert made is not None
    with Image.open(io.BytesIO(made)) as image:
        assert image.getpixel((16, 16)) == (255, 255, 255)
    assert make_thumbnail(b"<html>not an image</html>", edge=32, max_bytes=30_000) is None
    assert make_thumbnail(photo(64, 64), edge=32, max_bytes=100) is None  # cannot fit: none, not a huge one
    monkeypatch.setattr(thumbnails, "MAX_PIXELS", 100)
    assert make_thumbnail(photo(64, 64), edge=32, max_bytes=30_000) is None  # too many pixels to decode


def test_the_process_cache_stays_within_its_bytes_and_lets_old_failed_images_go():
    failed = thumbnails.FAILED_ENTRY_BYTES
    cache = thumbnails.made_cache(max_bytes=4 * failed)

    def key(name: str) -> tuple[str, int, int]:
        return (f"https://cdn.example/{name}.png", 256, 30_000)

    for n in range(10):
        cache[key(f"broken{n}")] = None  # images that gave no thumbnail
    assert sorted(url for url, _, _ in cache) == [key(f"broken{n}")[0] for n in range(6, 10)]
    assert cache[key("broken6")] is None  # looked at again: now the most recently used
    cache[key("shoe")] = b"\xff" * (failed * 3 // 2)  # a thumbnail takes the room of two failures
    kept = ("broken6", "broken9", "shoe")
    assert sorted(url for url, _, _ in cache) == sorted(key(name)[0] for name in kept)
    assert cache.currsize <= 4 * failed


def test_a_completed_job_shows_thumbnails_in_its_view_and_each_image_is_fetched_once(account, monkeypatch):
    fetched: list[str] = []
    fetch = thumbnails.fetch_image

    def counted(client, url, **options):
        fetched.append(url)
        return fetch(client, url, **options)

    monkeypatch.setattr(thumbnails, "fetch_image", counted)
    job = done_job(account)
    view = JobView.for_job(job)
    gallery = Gallery([job])
    wait_until(lambda: len(view.thumbnails) == 2 and len(gallery.thumbnails) == 2, "the thumbnails")
    assert sorted(view.thumbnails) == ["0", "1"]
    assert sorted(gallery.thumbnails) == [f"{job.id}:0", f"{job.id}:1"]
    # this job's images, each once (views earlier tests on this worker left open may fetch theirs meanwhile)
    assert sorted(url for url in fetched if job.id in url) == sorted(image.url for image in job.images)
    html = view._repr_mimebundle_()[0]["text/html"]
    assert html.count('src="data:image/jpeg;base64,') == 2
    view.close()
    gallery.close()


def test_a_widget_keeps_no_more_thumbnails_than_its_budget(account, monkeypatch):
    job = done_job(account, num_images=3)
    made = [thumbnails.thumbnail_of(account, image.url).result(timeout=60) or b"" for image in job.images]
    sizes = sorted(map(len, made))
    assert sizes[0] + sizes[1] > sizes[2]
    monkeypatch.setattr(config, "thumbnail_budget_bytes", sizes[2])  # room for any one, not two
    view = JobView.for_job(job)
    wait_until(lambda: not view._thumbnails.pending and view.thumbnails, "the thumbnails")
    assert len(view.thumbnails) == 1
    html = view._repr_mimebundle_()[0]["text/html"]
    assert html.count('src="data:image/jpeg') == 1 and html.count('src="http') == 2  # the others by URL
    view.close()


def test_thumbnails_can_be_turned_off(account, monkeypatch):
    monkeypatch.setattr(config, "thumbnails", False)
    view = JobView.for_job(done_job(account))
    assert view._settled() and view.thumbnails == {}
    view.close()


def test_a_misspelt_setting_fails_instead_of_doing_nothing():
    with pytest.raises(AttributeError):
        config.thumbnail = False  # type: ignore[attr-defined]


class Replies:
    """What a widget sends the browser in answer to its custom messages."""

    def __init__(self, widget) -> None:
        self.answers: list[tuple[dict, list]] = []
        widget.comm.send = self.record

    def record(self, data=None, metadata=None, buffers=None) -> None:
        if data.get("method") == "custom":
            self.answers.append((data["content"], list(buffers or [])))


def ask(widget, replies: Replies, **request) -> tuple[dict, list]:
    send_from_browser(widget, {"type": "image", "request": 7, **request})
    wait_until(lambda: replies.answers, "the kernel's answer")
    return replies.answers.pop()


def test_the_browser_gets_an_image_it_cannot_load_from_the_kernel(account):
    job = done_job(account)
    view = JobView.for_job(job)
    replies = Replies(view)
    answer, buffers = ask(view, replies, key="1", size="full")
    assert answer == {"type": "image", "request": 7, "mime": "image/jpeg", "filename": f"{job.id}_1.jpg"}
    with Image.open(io.BytesIO(buffers[0])) as image:
        assert image.size == (job.images[1].width, job.images[1].height)
    answer, buffers = ask(view, replies, key="0", size="thumbnail")
    assert answer["mime"] == "image/jpeg" and len(buffers[0]) <= config.thumbnail_max_bytes
    answer, buffers = ask(view, replies, key="../../etc/passwd", size="full")
    assert answer["error"] and buffers == []
    view.close()


def test_a_gallery_answers_by_its_item_keys(account):
    job = done_job(account)
    gallery = Gallery([job])
    replies = Replies(gallery)
    answer, buffers = ask(gallery, replies, key=f"{job.id}:0", size="full")
    assert answer["filename"] == f"{job.id}_0.jpg" and buffers[0][:2] == b"\xff\xd8"
    gallery.close()


def test_an_ended_job_shows_its_gallery_with_its_thumbnails_at_once(account, process_tracker):
    job = account.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt="a",
                           num_images=2)
    view = JobView.for_job(job)
    updates: list[tuple[str, int]] = []  # (status, thumbnails) of each update the browser gets

    def record(data=None, metadata=None, buffers=None):
        state = data.get("state", {})
        # (a listing's summary of the end, when other jobs are followed too, says "loading its
        # images" first, with no image to draw: what counts is the first state with its images)
        if "job" in state and not state["job"].get("images_coming"):
            kept = [path for path in data.get("buffer_paths", []) if path[0] == "thumbnails"]
            updates.append((state["job"]["status"], len(kept)))

    view.comm.send = record
    wait_until(lambda: any(status == "completed" for status, _ in updates), "the job to show completed")
    first_completed = next(update for update in updates if update[0] == "completed")
    assert first_completed == ("completed", 2)  # not its full images first, then a redraw
    view.close()


def test_an_ended_job_waits_for_its_thumbnails_only_so_long(account, process_tracker, monkeypatch):
    """Its gallery appears whole once they are made; when they are not, with what there is once the
    awaited seconds of the timers' clock have passed."""
    clock = FakeClock()
    timers = Timers(clock=clock)
    monkeypatch.setattr(job_view, "process_timers", lambda: timers)
    never: Future[bytes | None] = Future()  # the thumbnail is never made
    monkeypatch.setattr(thumbnails, "thumbnail_of", lambda client, url: never)
    view = JobView.for_job(account.generate(model="nanobanana2", image_url="https://example.com/a.png",
                                            prompt="a"))
    wait_until(lambda: timers.seconds_to_next() is not None, "the job to end, its thumbnail awaited")
    assert view.job["status"] != "completed"
    clock.now = job_view.THUMBNAILS_AWAITED_SECONDS - 0.01
    timers.run_due()
    assert view.job["status"] != "completed"
    clock.now = job_view.THUMBNAILS_AWAITED_SECONDS
    timers.run_due()
    assert view.job["status"] == "completed" and not view.thumbnails
    view.close()


@pytest.mark.parametrize("drawn", [True, False], ids=["a page draws it", "headless"])
def test_thumbnails_made_later_than_awaited_never_redraw_a_page_under_its_user(
    account, process_tracker, monkeypatch, drawn
):
    """The output shows the job's end as it shows; thumbnails made later reach a page through the
    view's state (a redraw would close the lightbox its user opened), a headless run's output too."""
    monkeypatch.setattr(job_view, "THUMBNAILS_AWAITED_SECONDS", 0.1)
    late: Future[bytes | None] = Future()  # every image's thumbnail, made when the test says
    monkeypatch.setattr(thumbnails, "thumbnail_of", lambda client, url: late)
    outputs = record_outputs(monkeypatch)  # the HTML of each output shown, then of each redraw
    view = JobView.for_job(account.generate(model="nanobanana2", image_url="https://example.com/a.png",
                                            prompt="a", num_images=2))
    view._ipython_display_()
    if drawn:  # what the front end says as it draws the view
        send_from_browser(view, {"type": "shown"})
    wait_until(lambda: len(outputs) == 2, "the output to show the job's end")
    assert 'data-status="completed"' in outputs[1] and "data:image/jpeg" not in outputs[1]
    assert view.job["status"] == "completed" and not view.thumbnails

    late.set_result(make_thumbnail(photo(64, 48), edge=32, max_bytes=10_000))  # runs what it calls
    assert sorted(view.thumbnails) == ["0", "1"]
    if drawn:
        assert len(outputs) == 2, "the page's output was drawn again after it showed the job's end"
    else:
        assert len(outputs) == 3 and outputs[2].count("data:image/jpeg") == 2
    view.close()


async def test_an_asyncio_clients_images_leave_no_connection_open_once_the_client_is_gone(
    emulator, account_key
):
    import gc
    import warnings
    import weakref

    from productai_notebook.api import AsyncProductAI

    async with AsyncProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        job = await client.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt="a")
        await job.wait(timeout=60, poll_interval=0.1)
        assert len(thumbnails.image_bytes(client, job.images[0].url).content) > 1000
    gone = weakref.ref(client)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", ResourceWarning)
        del client, job
        gc.collect()  # the client, then (its entry gone) the blocking twin, each a cycle of its own
        gc.collect()
    assert gone() is None
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
