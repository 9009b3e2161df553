"""A fresh IPython shell with `%load_ext productai_notebook`, and no client chosen, per test."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

from productai_notebook.api import JobFailedError, ProductAI
from productai_notebook.contract import API_KEY_ENV
from productai_notebook.emulator import Emulator

# `productai_notebook.sandbox` is also the name of a function: reach the module itself.
sandbox_module = importlib.import_module("productai_notebook.sandbox")


@pytest.fixture
def no_client(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither a chosen client nor a key in the environment."""
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    monkeypatch.setattr(sandbox_module, "_chosen", None)


@pytest.fixture
def shell(no_client: None) -> Iterator[InteractiveShell]:
    config = Config()
    config.HistoryManager.hist_file = ":memory:"
    InteractiveShell.clear_instance()
    ip = InteractiveShell.instance(config=config)
    ip.run_line_magic("load_ext", "productai_notebook")
    yield ip
    if "productai_notebook" in ip.extension_manager.loaded:
        ip.run_line_magic("unload_ext", "productai_notebook")
    InteractiveShell.clear_instance()




@pytest.fixture
def with_account(no_client: None, account, monkeypatch: pytest.MonkeyPatch):
    """The magic uses a fresh account's client."""
    monkeypatch.setattr(sandbox_module, "_chosen", account)
    return account


IMAGE_URL = "https://example.com/shoe.jpg"


@pytest.fixture(scope="module")
def slow_emulator() -> Iterator[Emulator]:
    """Jobs that take far longer than any test waits for them."""
    with Emulator(api_key="pk_test_slow_0123456789", plan="enterprise", job_seconds=(600, 600)) as emu:
        yield emu


@pytest.fixture
def slow_account(slow_emulator: Emulator) -> Iterator[ProductAI]:
    with ProductAI(api_key=slow_emulator.api_key, base_url=slow_emulator.base_url) as c:
        yield c


@pytest.fixture
def make_jobs():
    """`make_jobs(client, [(model, prompt, num_images), ...])`: generate, and by default wait for the end."""
    return _make_jobs


def _make_jobs(client, specs, *, wait: bool = True):
    jobs = [client.generate(model=m, prompt=p, image_url=IMAGE_URL, num_images=n) for m, p, n in specs]
    if wait:
        for job in jobs:
            with contextlib.suppress(JobFailedError):  # a failing job is part of the batch
                job.wait(timeout=60, poll_interval=0.2)
    return jobs
