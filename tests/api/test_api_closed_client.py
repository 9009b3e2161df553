"""A client closed while the tracker still follows its jobs (a `with` block that ended under a widget):
another open client of the account carries on, and with none left the job is let go quietly."""

from __future__ import annotations

import logging

import pytest
from notebook_waits import wait_until

from productai_notebook.api import ProductAI
from productai_notebook.emulator import Emulator

GENERATE = {"model": "nanobanana2", "prompt": "closed under a widget", "image_url": "https://example.com/p.png"}


def test_another_open_client_of_the_account_carries_on(emulator: Emulator, account_key: str, process_tracker):
    with ProductAI(api_key=account_key, base_url=emulator.base_url) as other:
        with ProductAI(api_key=account_key, base_url=emulator.base_url) as first:
            job = first.generate(**GENERATE)
            process_tracker.track(job)
        # `first` is closed now; the job is still shown
        wait_until(lambda: job.is_terminal and job.images, "the job to end through the other client")
        assert other.jobs.get(job.id).status == "completed"


def test_with_every_client_closed_the_job_is_let_go_without_an_error(
    emulator: Emulator, account_key: str, process_tracker, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG, logger="productai_notebook.api")
    with ProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        job = client.generate(**GENERATE)
        process_tracker.track(job)
    wait_until(lambda: not process_tracker.is_following(job), "the tracker to let the job go")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
