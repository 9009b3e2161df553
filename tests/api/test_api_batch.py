"""`client.batch(...)` against the emulator: the cost before sending, failures recorded, picks."""

from __future__ import annotations

import csv
import dataclasses
import inspect
import io
import json
import uuid
from pathlib import Path

import httpx
import pytest
from batch_helpers import creates, fresh_client

from productai_notebook.api import (
    AsyncProductAI,
    BatchPlan,
    InsufficientCreditsError,
    InvalidArgumentError,
    ProductAI,
    plan_batch,
)
from productai_notebook.api.batches import BatchAxes
from productai_notebook.emulator import Emulator

URL = "https://example.com/products/mug.jpg"


@pytest.fixture
def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "tan").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_dry_run_costs_what_the_account_is_then_charged(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        axes = {"inputs": [URL], "prompts": ["on marble", "on oak"], "models": ["nanobanana2", "gpt-high"]}
        plan = client.batch(**axes, num_images=2, dry_run=True, batch_dir=tmp_path)
        assert isinstance(plan, BatchPlan)
        assert (plan.jobs, plan.images, plan.credits, plan.balance) == (4, 8, 52, 10_000)
        assert creates(emulator, client) == 0 and not list(tmp_path.iterdir())  # nothing sent, nothing kept

        batch = client.batch(**axes, num_images=2, batch_dir=tmp_path).wait(timeout=60)

        assert [job.status for job in batch] == ["completed"] * 4
        assert 10_000 - client.me().generations == plan.credits == batch.credits_used
        assert plan == plan_batch(**axes, num_images=2, plan="enterprise", balance=10_000)


def test_the_plan_says_how_long_the_rate_limit_makes_the_requests_take() -> None:
    urls = [f"https://example.com/{n}.jpg" for n in range(7)]
    plan = plan_batch(inputs=urls, prompts=["a", "b", "c"], models="nanobanana", plan="free")
    assert (plan.requests, plan.seconds) == (21, 120.0)  # 10 now, 10 a minute later, 1 after two
    assert plan_batch(inputs=urls[:2], prompts="a", models="seedream", plan="free").seconds == 0
    # a local image is one upload more, whatever the number of jobs that use it
    assert plan_batch(inputs=[b"\x89PNG\r\n\x1a\n"], prompts=["a", "b"], models="seedream").requests == 3


@pytest.mark.parametrize(
    "call", [ProductAI.batch, AsyncProductAI.batch, plan_batch], ids=lambda call: call.__qualname__
)
def test_every_batch_call_offers_the_same_arguments_with_the_same_defaults(call) -> None:
    # help() and tab completion show each call's own list: it must be the one list of a batch's arguments
    parameters = inspect.signature(call).parameters
    axes = {field.name: field.default for field in dataclasses.fields(BatchAxes)}
    assert {name: parameters[name].default for name in axes if name in parameters} == axes


def test_a_failing_job_and_a_failed_create_are_recorded_not_raised(
    emulator: Emulator, tmp_path: Path
) -> None:
    with fresh_client(emulator) as client:
        batch = client.batch(
            inputs=[URL, "asset_never_uploaded"], prompts=["on marble", "in the rain #fail"],
            models="seedream", batch_dir=tmp_path,
        ).wait(timeout=60)

        stages = [(entry.spec.input_label, entry.spec.prompt, entry.stage) for entry in batch.entries]
        assert stages == [
            ("mug.jpg", "on marble", "created"),
            ("mug.jpg", "in the rain #fail", "created"),
            ("asset_never_uploaded", "on marble", "failed"),
            ("asset_never_uploaded", "in the rain #fail", "failed"),
        ]
        assert [job.status for job in batch] == ["completed", "failed"]
        failed = batch.failed
        assert len(failed) == 3
        assert failed[0].job.error.code == "generation_failed"
        assert "asset_id" in str(failed[1].error) and failed[1].job is None
        assert len(batch.results) == 1
        errors = list(batch.to_dataframe()["error"].fillna(""))
        assert errors[0] == "" and errors[1].startswith("generation_failed: ") and "asset_id" in errors[2]


def test_retry_failed_sends_again_only_what_surely_made_no_job(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        # a job of the same shape made elsewhere (another tool on the account), then the first
        # create's answer is lost after the job was stored: two jobs could be it, so it stays lost
        decoy = {"model": "seedream", "image_url": URL, "prompt": "elsewhere"}
        headers = {"Authorization": f"Bearer {client.api_key}"}
        assert httpx.post(f"{emulator.base_url}/generate", json=decoy, headers=headers).status_code == 202
        emulator.fail_next("reset_after", route="POST /v1/generate")
        batch = client.batch(
            inputs=[URL, "asset_never_uploaded"], prompts="on marble", models="seedream", batch_dir=tmp_path
        ).wait(timeout=60)
        assert [entry.stage for entry in batch.entries] == ["lost", "failed"]
        sent = creates(emulator, client)

        again = batch.retry_failed()
        batch.wait(timeout=60)

        assert again == [batch.entries[1]]
        assert creates(emulator, client) == sent + 1  # the lost one is never sent twice
        assert batch.entries[0].stage == "lost"


def test_too_few_credits_are_refused_before_any_create(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator, credits=20) as client:
        axes = {"inputs": [URL], "prompts": ["a", "b"], "models": "gpt-high"}  # 16 credits of 20
        assert client.batch(**axes, dry_run=True, batch_dir=tmp_path).credits == 16
        with pytest.raises(InsufficientCreditsError, match="needs 24 credits .* has 20; nothing was sent"):
            client.batch(**{**axes, "prompts": ["a", "b", "c"]}, batch_dir=tmp_path)
        with pytest.raises(InsufficientCreditsError):
            client.batch(**{**axes, "prompts": ["a", "b", "c"]}, dry_run=True, batch_dir=tmp_path)
        assert creates(emulator, client) == 0
        assert not list(tmp_path.iterdir())


def test_bad_input_is_a_clear_error_before_anything_is_sent(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        with pytest.raises(InvalidArgumentError, match="model: 'nanobanana3' is not one of"):
            client.batch(inputs=URL, prompts="a", models=["nanobanana2", "nanobanana3"], batch_dir=tmp_path)
        with pytest.raises(InvalidArgumentError, match="prompts: give at least one"):
            client.batch(inputs=URL, prompts=[], models="seedream", batch_dir=tmp_path)
        assert emulator.requests(client.api_key)["routes"] == {}


def test_a_local_image_is_uploaded_once_for_all_its_jobs(
    emulator: Emulator, tmp_path: Path, png_bytes: bytes
) -> None:
    (tmp_path / "mug.png").write_bytes(png_bytes)
    with fresh_client(emulator) as client:
        batch = client.batch(
            inputs=[str(tmp_path / "mug.png"), png_bytes], prompts=["a", "b"], models="seedream",
            batch_dir=tmp_path,
        ).wait(timeout=60)
        routes = emulator.requests(client.api_key)["routes"]
        assert routes["upload_asset"] == 2 and routes["generate"] == 4
        assert batch.axes["input"] == ["mug.png", "image 2"]


def test_specs_may_be_listed_one_by_one(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        batch = client.batch(
            [
                {"input": URL, "prompt": "on marble", "model": "seedream"},
                {"input": URL, "prompt": "on oak", "model": "nanobanana", "num_images": 2},
            ],
            batch_dir=tmp_path,
        ).wait(timeout=60)
        assert [len(job.images) for job in batch] == [1, 2]
        assert batch.axes == {"input": ["mug.jpg"], "prompt": ["on marble", "on oak"],
                              "model": ["seedream", "nanobanana"]}


def test_a_pick_on_a_job_shows_in_the_batch_winners(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        batch = client.batch(
            inputs=URL, prompts=["a", "b"], models="nanobanana", num_images=3, batch_dir=tmp_path
        ).wait(timeout=60)
        heard: list[object] = []
        batch.observe(heard.append)
        first, second = batch.jobs

        second.pick(2)
        first.set_picks([1, 0])
        second.pick(2, picked=False)

        assert [(job.id, image) for job, image in batch.winners] == [
            (first.id, first.images[1]), (first.id, first.images[0])
        ]
        assert first.selected == [first.images[1], first.images[0]] and first.picks == (1, 0)
        assert len(heard) == 3
        with pytest.raises(InvalidArgumentError, match="has 3 images"):
            first.pick(3)


async def test_an_async_batch_sends_from_a_task_on_the_loop(emulator: Emulator, tmp_path: Path) -> None:
    key = f"pk_test_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    async with AsyncProductAI(api_key=key, base_url=emulator.base_url) as client:
        batch = await client.batch(
            inputs=URL, prompts=["a", "b #fail"], models="seedream", batch_dir=tmp_path
        )
        ended = [job.status async for job in batch.as_completed(timeout=60)]
        assert sorted(ended) == ["completed", "failed"]
        assert [job.status for job in batch] == ["completed", "failed"]
        assert creates(emulator, client) == 2


def test_twenty_jobs_on_the_free_plan_complete_without_a_single_429(tmp_path: Path) -> None:
    # the Free plan's 10 requests a minute, over a 3 s window to keep the test short
    with Emulator(api_key="pk_test_free_batch", plan="free", job_seconds=(0.2, 0.5), rate_window=3.0) as emu:
        with ProductAI(api_key=emu.api_key, base_url=emu.base_url, rate_window=3.0) as client:
            plan = client.batch(inputs=URL, prompts=[f"scene {n}" for n in range(10)],
                                models=["seedream", "nanobanana"], dry_run=True, batch_dir=tmp_path)
            assert (plan.requests, plan.seconds, plan.plan) == (20, 60.0, "free")  # a minute, at 60 s

            batch = client.batch(inputs=URL, prompts=[f"scene {n}" for n in range(10)],
                                 models=["seedream", "nanobanana"], batch_dir=tmp_path).wait(timeout=100)

            assert [job.status for job in batch] == ["completed"] * 20
            statuses = emu.requests()["statuses"]
            assert "429" not in statuses and emu.requests()["routes"]["generate"] == 20


def test_export_names_files_by_prompt_and_model_and_lists_them(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        batch = client.batch(
            inputs=URL, prompts=["on marble / in soft light", "héros: ~50% off?"], models="nanobanana",
            num_images=2, batch_dir=tmp_path / "batches",
        ).wait(timeout=60)
        first, second = batch.jobs
        second.pick(1)
        first.pick(0)

        winners = batch.export(tmp_path / "out", name="{prompt}_{model}_{n}")
        everything = batch.export(tmp_path / "all", winners_only=False, name="{input}-{job_id}-{n}")

        assert [path.name for path in winners] == [
            "on_marble_in_soft_light_nanobanana_0.jpg", "heros_50_off_nanobanana_1.jpg"
        ]
        assert len(everything) == 4 and everything[0].name == f"mug.jpg-{first.id}-0.jpg"
        assert all(path.stat().st_size > 1000 for path in winners)
        with (tmp_path / "out" / "manifest.csv").open() as manifest:
            rows = list(csv.DictReader(manifest))
        columns = ["file", "input", "prompt", "model", "job_id", "image", "width", "height", "credits"]
        assert list(rows[0]) == columns
        assert [(row["prompt"], row["job_id"], row["image"], row["credits"]) for row in rows] == [
            ("on marble / in soft light", first.id, "0", "3"), ("héros: ~50% off?", second.id, "1", "3")
        ]
        listed = json.loads((tmp_path / "out" / "manifest.json").read_text())
        assert listed["images"][1]["width"] == 1024 and listed["images"][1]["file"] == winners[1].name
        with pytest.raises(InvalidArgumentError, match="name pattern"):
            batch.export(tmp_path / "bad", name="{colour}")

        frame = batch.to_dataframe()
        assert list(frame["prompt"]) == ["on marble / in soft light", "héros: ~50% off?"]
        assert list(frame["credits"]) == [6, 6] and list(frame["picks"]) == [[0], [1]]


def test_a_job_ids_own_underscores_and_dashes_stay_in_its_file_name() -> None:
    from productai_notebook.api.batches.export import safe_part

    assert safe_part("job___oozMcRwCkegRf2_") == "job___oozMcRwCkegRf2_", "an id is never changed"
    assert safe_part("job_tZcvrefnNkUWrIF-") == "job_tZcvrefnNkUWrIF-", "nor its dashes"
    assert safe_part("-job-") == "job", "a name never starts with a dash"
    assert safe_part("gpt-high") == "gpt-high"
    assert safe_part("héros: ~50% off?") == "heros_50_off", "punctuation at the ends is dropped"
    assert safe_part("..hidden") == "hidden", "no hidden file"


def test_batches_made_in_the_same_second_without_a_name_get_names_of_their_own(
    emulator: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from productai_notebook.api.batches import making

    monkeypatch.setattr(making, "new_name", lambda: "batch-20261204-120000")  # one second for all three
    with fresh_client(emulator) as client:
        batches = [
            client.batch(inputs=[URL], prompts=[f"on {wood}"], models="nanobanana2", batch_dir=tmp_path)
            for wood in ("oak", "ash", "elm")
        ]
        for batch in batches:
            batch.wait(timeout=60)
    assert [batch.name for batch in batches] == [
        "batch-20261204-120000", "batch-20261204-120000-2", "batch-20261204-120000-3"
    ]
    assert [[job.prompt for job in batch] for batch in batches] == [["on oak"], ["on ash"], ["on elm"]]
    assert sorted(path.name for path in tmp_path.glob("*.json")) == sorted(f"{b.name}.json" for b in batches)
