"""Generate in the studio: the batch the form describes, charged what the preview said, shown below."""

from __future__ import annotations

import gc
import uuid

import pytest
from input_files import png
from notebook_waits import wait_until
from page_messages import send_from_browser

from productai_notebook.api import Batch, ProductAI
from productai_notebook.notebook.studio import Studio

DEADLINE = 60.0


@pytest.fixture
def account(emulator, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # the batches' manifests go under the working folder
    key = f"pk_test_studio_batch_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="pro", credits=300)
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        yield key, client


def test_generate_makes_2_prompts_x_2_models_x_2_images_charged_as_previewed(account, emulator):
    key, client = account
    studio = Studio(client, prompts=["on marble", "on oak"], models=["nanobanana2", "nanobananapro"],
                    num_images=2)
    try:
        assert studio.add_input(png(), name="lamp.png")["state"] == "ready"
        plan = studio.plan
        assert (plan.jobs, plan.images, plan.credits) == (4, 8, 2 * 2 * 5 + 2 * 2 * 8)
        send_from_browser(studio, {"type": "generate"})  # what pressing Generate sends
        wait_until(lambda: studio.batch is not None and not studio.busy, "the batch to be made")
        batch = studio.batch
        assert isinstance(batch, Batch) and len(batch) == 4
        assert batch.axes["prompt"] == ["on marble", "on oak"]
        assert batch.axes["input"] == ["lamp.png"]  # named by its file, not its asset id
        batch.wait(timeout=DEADLINE)
        assert len(batch.results) == 4
        charged = 300 - client.me().generations
        assert charged == plan.credits
        # the balance is read again once the batch has ended, and only then
        wait_until(lambda: studio.account["balance"] == 300 - charged, "the balance read after the batch")
        assert studio.views, "the batch shows below the form"
        assert studio.message == ""
    finally:
        studio.close()


def test_generate_with_no_input_says_so_and_sends_nothing(account, emulator):
    key, client = account
    studio = Studio(client, prompts="on marble")
    try:
        send_from_browser(studio, {"type": "generate"})
        wait_until(lambda: studio.message != "" and not studio.busy, "the refusal")
        assert studio.message == "inputs: add an input image first (drop, paste, pick or choose one)"
        assert studio.batch is None
        assert "generate" not in emulator.requests(key)["routes"]
    finally:
        studio.close()


def test_over_the_balance_nothing_is_created(account, emulator):
    key, client = account
    studio = Studio(client, prompts=[f"look {n}" for n in range(10)], models=["gpt-high"], num_images=4)
    try:
        studio.add_input(png())
        assert studio.plan.credits == 320 and studio.plan.affordable is False
        send_from_browser(studio, {"type": "generate"})
        wait_until(lambda: studio.message != "" and not studio.busy, "the refusal")
        assert "320" in studio.message and "300" in studio.message
        assert studio.batch is None
        assert "generate" not in emulator.requests(key)["routes"]
    finally:
        studio.close()


def test_an_async_client_works_too_and_the_html_copy_shows_the_board(account, emulator):
    from productai_notebook.api import AsyncProductAI

    key, _client = account
    studio = Studio(AsyncProductAI(api_key=key, base_url=emulator.base_url), prompts="on marble")
    gc.collect()  # the asyncio client is gone (only the studio used it): its blocking twin still works
    try:
        studio.add_input(png(), name="lamp.png")
        batch = studio.generate()
        batch.wait(timeout=DEADLINE)
        html = studio._repr_mimebundle_()[0]["text/html"]
        assert "ProductAI studio: 1 input(s), 1 prompt(s)" in html and "on marble" in html
        assert key not in html
    finally:
        studio.close()


def test_studios_on_one_asyncio_client_share_its_blocking_twin_which_closes_with_it(account, emulator):
    import asyncio

    from productai_notebook.api import AsyncProductAI, ProductAIError

    key, _client = account
    client = AsyncProductAI(api_key=key, base_url=emulator.base_url)
    studios = [Studio(client, prompts="on marble"), Studio(client, prompts="on slate")]
    try:
        for studio in studios:
            studio.add_input(png(), name="lamp.png")
        batches = [studio.generate() for studio in studios]
        for batch in batches:
            batch.wait(timeout=DEADLINE)
        # one connection pool however many studios (a cell run again makes a new one each time)
        assert batches[0].client is batches[1].client is client.blocking()
    finally:
        for studio in studios:
            studio.close()
    asyncio.run(client.close())
    assert batches[0].client.is_closed  # its connections went with the client's
    with pytest.raises(ProductAIError, match="was closed"):
        client.blocking()
