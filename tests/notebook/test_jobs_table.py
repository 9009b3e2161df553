"""JobsTable in Python: the rows it sends, filters, paging, live rows, and what opens beneath it."""

from __future__ import annotations

import contextlib
import json
import sys
import threading

import pytest
from page_messages import send_from_browser

from productai_notebook import Gallery, JobsTable, JobView
from productai_notebook.api import Job, JobFailedError, ProductAI

IMAGE_URL = "https://example.com/bag.jpg"
ROW_KEYS = {"job_id", "status", "model", "prompt", "num_images", "tokens_used", "created_at", "completed_at",
            "failed_at", "duration_seconds"}




def generate(client, specs, *, wait=True) -> list[Job]:
    jobs = [client.generate(model=m, prompt=p, image_url=IMAGE_URL, num_images=n) for m, p, n in specs]
    if wait:
        for job in jobs:
            with contextlib.suppress(JobFailedError):
                job.wait(timeout=60, poll_interval=0.2)
    return jobs


@pytest.fixture
def batch(account) -> list[Job]:
    """Three ended jobs, oldest first: two completed, one failed."""
    specs = [("nanobanana2", "red", 2), ("seedream", "blue #fail", 1), ("seedream", "green", 3)]
    return generate(account, specs)


def test_rows_describe_each_job_newest_first(account, batch):
    table = JobsTable(account)
    assert [row["job_id"] for row in table.rows] == [job.id for job in reversed(batch)]
    assert all(set(row) == ROW_KEYS for row in table.rows)
    green, failed, red = table.rows
    assert (red["status"], red["model"], red["num_images"]) == ("completed", "nanobanana2", 2)
    assert red["tokens_used"] == 10
    assert red["created_at"].endswith("Z") and red["duration_seconds"] > 0  # UTC, as the API writes it
    assert (failed["status"], failed["model"], failed["tokens_used"]) == ("failed", "seedream", None)
    assert failed["failed_at"] is not None and failed["completed_at"] is None
    assert table.total == 3 and not table.has_more
    assert table.loading is False and table.error == ""
    # the prompt this client sent (the API never returns it)
    assert [row["prompt"] for row in table.rows] == ["green", "blue #fail", "red"]


def test_choosing_a_status_queries_again(account, batch):
    table = JobsTable(account)
    table.status_filter = "failed"
    assert [row["job_id"] for row in table.rows] == [batch[1].id]
    assert table.total == 1
    table.status_filter = "all"
    assert len(table.rows) == 3


def test_the_model_filter_narrows_the_jobs_python_sees(account, batch):
    table = JobsTable(account, model="seedream")
    assert [job.id for job in table.jobs] == [batch[2].id, batch[1].id]
    table.model_filter = "nanobanana2"
    assert [job.id for job in table.jobs] == [batch[0].id]
    assert len(table.rows) == 3  # the browser filters the rows it holds


def test_load_more_adds_the_next_page(account):
    made = generate(account, [("nanobanana", f"n{i}", 1) for i in range(5)], wait=False)
    table = JobsTable(account, limit=2)
    assert len(table.rows) == 2 and table.has_more
    send_from_browser(table, {"type": "load_more"})
    send_from_browser(table, {"type": "load_more"})
    assert [row["job_id"] for row in table.rows] == [job.id for job in reversed(made)]
    assert not table.has_more
    send_from_browser(table, {"type": "load_more"})  # nothing left: nothing changes
    assert len(table.rows) == 5


def test_load_more_never_shows_a_job_twice_when_a_job_was_made_meanwhile(account):
    made = generate(account, [("nanobanana", f"n{i}", 1) for i in range(5)], wait=False)
    table = JobsTable(account, limit=2)
    generate(account, [("nanobanana", "newer", 1)], wait=False)  # every later page shifts by one
    send_from_browser(table, {"type": "load_more"})
    send_from_browser(table, {"type": "load_more"})
    assert [row["job_id"] for row in table.rows] == [job.id for job in reversed(made)]
    assert not table.has_more


def test_the_selection_and_its_images_follow_the_model_filter(account, batch):
    red, _, green = batch
    table = JobsTable(account)
    table.selected_ids = [red.id, green.id]
    table.model_filter = "seedream"  # hides the ticked nanobanana2 job
    assert [job.id for job in table.selected] == [green.id]
    gallery = table.show_images()
    assert {item["job_id"] for item in gallery.items} == {green.id}
    table.selected_ids = [red.id]  # only hidden jobs ticked: every job shown
    assert table.selected == []
    assert {item["job_id"] for item in table.show_images().items} == {green.id}


def test_clicking_a_row_opens_its_job_beneath(account, batch):
    table = JobsTable(account)
    table.opened_id = batch[0].id
    assert isinstance(table.opened, JobView)
    assert table.opened.job["job_id"] == batch[0].id
    assert len(table.opened.job["images"]) == 2  # the list has no images: the job was read in full
    assert table.panel.children == (table, table.panel.children[1])
    assert table.panel.children[1].children == (table.opened,)
    first = table.opened
    table.opened_id = batch[1].id
    assert table.opened.job["status"] == "failed" and first.comm is None  # the old view is closed
    table.opened_id = None
    assert table.opened is None and table.panel.children[1].children == ()


def test_show_images_opens_a_gallery_of_the_ticked_jobs(account, batch):
    table = JobsTable(account)
    table.selected_ids = [batch[0].id, batch[2].id]
    assert [job.id for job in table.selected] == [batch[0].id, batch[2].id]
    send_from_browser(table, {"type": "show_images"})
    assert isinstance(table.gallery, Gallery)
    assert [item["key"] for item in table.gallery.items] == [
        f"{batch[0].id}:0", f"{batch[0].id}:1", f"{batch[2].id}:0", f"{batch[2].id}:1", f"{batch[2].id}:2",
    ]
    assert table.panel.children[1].children == (table.gallery,)


def test_unfinished_jobs_update_live(account):
    (job,) = generate(account, [("nanobanana", "slowish", 1)], wait=False)
    table = JobsTable(account)
    assert table.rows[0]["status"] in ("pending", "processing")
    done = threading.Event()

    def on_rows(change):
        if change["new"] and change["new"][0]["status"] == "completed":
            done.set()

    table.observe(on_rows, names="rows")
    if table.rows[0]["status"] != "completed":
        assert done.wait(60), "the row never showed the job completed"
    assert table.rows[0]["tokens_used"] == 3
    table.close()


def test_a_failing_query_shows_its_error_in_the_table(emulator):
    with ProductAI(api_key="pk_test_NOT_A_KEY_0000000000", base_url=emulator.base_url, max_retries=0) as bad:
        table = JobsTable(bad)
    assert table.error.startswith("401") and table.rows == []
    assert "pk_test_NOT_A_KEY" not in table.error


def test_to_dataframe(account, batch):
    frame = JobsTable(account).to_dataframe()
    assert list(frame["job_id"]) == [job.id for job in reversed(batch)]
    assert list(frame["status"]) == ["completed", "failed", "completed"]
    assert list(frame["prompt"]) == ["green", "blue #fail", "red"]  # as the table's Prompt column
    assert frame["tokens_used"].sum() == 10 + 9


def test_to_dataframe_without_pandas_says_what_to_install(account, batch, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="pip install pandas"):
        JobsTable(account).to_dataframe()


def test_it_displays_with_what_opens_beneath_and_a_static_fallback(account, batch, api_key):
    table = JobsTable(account)
    bundle = table._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == table.panel.model_id
    assert batch[0].id in bundle["text/html"] and "<script" not in bundle["text/html"]
    assert bundle["text/plain"] == "JobsTable: 3 of 3 jobs, 5 images, 19 credits"
    state = json.dumps(table.get_state(), default=str)
    assert account.settings.api_key not in state and api_key not in state


def test_without_any_client_it_says_what_to_do(monkeypatch):
    monkeypatch.delenv("PRODUCTAI_API_KEY", raising=False)
    monkeypatch.setattr(sys.modules["productai_notebook.sandbox"], "_chosen", None)
    with pytest.raises(ValueError, match="%productai sandbox"):
        JobsTable()
