"""A batch's manifest: a re-run pays nothing twice, a killed process loses nothing, a bad file is kept."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from batch_helpers import creates, fresh_client
from notebook_waits import wait_until

from productai_notebook.api import Batch, InvalidArgumentError, ManifestError, ProductAI
from productai_notebook.api.batches.manifest import read_manifest
from productai_notebook.api.batches.sender_lock import SenderLock
from productai_notebook.emulator import Emulator

URL = "https://example.com/products/mug.jpg"
AXES = {"inputs": [URL], "prompts": ["on marble", "on oak"], "models": ["seedream", "nanobanana"]}


def test_running_a_named_batch_again_reattaches_and_pays_nothing(
    emulator: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_client(emulator) as client:
        first = client.batch(**AXES, name="mugs", batch_dir=tmp_path).wait(timeout=60)
        first.jobs[1].pick(0)
        assert first.manifest_path == tmp_path / "mugs.json"
        assert client.api_key not in first.manifest_path.read_text()  # the key never reaches the disk

        again = client.batch(**AXES, name="mugs", batch_dir=tmp_path).wait(timeout=60)

        assert "Batch 'mugs' already exists: re-attached" in capsys.readouterr().out
        assert creates(emulator, client) == 4
        assert [job.id for job in again] == [job.id for job in first]
        assert [job.id for job, _ in again.winners] == [first.jobs[1].id]


def test_a_new_process_opens_the_batch_with_its_picks(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        made = client.batch(**AXES, name="mugs", batch_dir=tmp_path).wait(timeout=60)
        made.jobs[2].pick(0)
        ids = [job.id for job in made]
    # a new client knows none of the handles, as after a kernel restart
    with ProductAI(api_key=client.api_key, base_url=emulator.base_url) as later:
        opened = Batch.open("mugs", later, batch_dir=tmp_path).wait(timeout=60)
        assert [job.id for job in opened] == ids
        assert opened.jobs[0] is not made.jobs[0]
        assert [job.id for job, _ in opened.winners] == [ids[2]]
        assert creates(emulator, later) == 4


def test_other_jobs_under_an_old_name_are_an_error_not_old_images(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        client.batch(**AXES, name="mugs", batch_dir=tmp_path).wait(timeout=60)
        with pytest.raises(InvalidArgumentError, match="batch 'mugs' exists .* with other jobs"):
            client.batch(**{**AXES, "prompts": ["on slate"]}, name="mugs", batch_dir=tmp_path)
        assert creates(emulator, client) == 4


@pytest.mark.parametrize("text", ['{"entries": [', '{"hello": "world"}', "[1, 2]"])
def test_a_corrupt_or_foreign_manifest_is_a_clear_error_and_is_kept(
    emulator: Emulator, tmp_path: Path, text: str
) -> None:
    (tmp_path / "mugs.json").write_text(text)
    with fresh_client(emulator) as client:
        with pytest.raises(ManifestError, match=str(tmp_path / "mugs.json")):
            client.batch(**AXES, name="mugs", batch_dir=tmp_path)
        with pytest.raises(ManifestError):
            Batch.open("mugs", client, batch_dir=tmp_path)
        assert creates(emulator, client) == 0
    assert (tmp_path / "mugs.json").read_text() == text


def _as_if_killed_while_sending(path: Path, seconds_ago: float = 30) -> None:
    """Rewrite a manifest as a process killed between sending the last create and its answer."""
    data = read_manifest(path)
    entry = data["entries"][-1]
    entry.pop("job_id", None)
    entry["stage"] = "sending"
    entry["sent_at"] = (datetime.now(timezone.utc) - timedelta(seconds=seconds_ago)).isoformat()
    path.write_text(json.dumps(data))


def test_a_create_in_flight_when_the_process_died_is_found_not_sent_again(
    emulator: Emulator, tmp_path: Path
) -> None:
    with fresh_client(emulator) as client:
        made = client.batch(**AXES, name="mugs", batch_dir=tmp_path).wait(timeout=60)
        _as_if_killed_while_sending(made.manifest_path)

    with ProductAI(api_key=client.api_key, base_url=emulator.base_url) as later:
        opened = Batch.open("mugs", later, batch_dir=tmp_path).wait(timeout=60)
        assert [job.id for job in opened] == [job.id for job in made]
        assert creates(emulator, later) == 4  # the job it made was found: nothing sent twice
        assert read_manifest(made.manifest_path)["entries"][-1]["stage"] == "created"


def test_a_create_that_never_reached_the_api_is_sent_once_on_open(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        made = client.batch(**{**AXES, "models": ["seedream"]}, name="mugs", batch_dir=tmp_path)
        made.wait(timeout=60)
        path = made.manifest_path
    # another account opens a manifest whose last create is in flight: no job of its own matches
    with fresh_client(emulator) as other:
        _as_if_killed_while_sending(path)
        data = read_manifest(path)
        data["entries"] = data["entries"][-1:]
        path.write_text(json.dumps(data))
        opened = Batch.open("mugs", other, batch_dir=tmp_path).wait(timeout=60)
        assert [job.status for job in opened] == ["completed"]
        assert creates(emulator, other) == 1


CHILD = textwrap.dedent(
    """
    import sys, time
    from productai_notebook.api import ProductAI
    from productai_notebook.emulator import Emulator

    db, key, folder = sys.argv[1:4]
    emulator = Emulator(api_key=key, plan="free", job_seconds=(0.3, 0.6), db=db, rate_window=4.0).start()
    client = ProductAI(api_key=key, base_url=emulator.base_url, rate_window=4.0)
    batch = client.batch(
        inputs=["https://example.com/mug.jpg"], prompts=[f"prompt {n}" for n in range(6)],
        models=["seedream", "nanobanana"], name="killed", batch_dir=folder,
    )
    print("returned", flush=True)
    time.sleep(60)
    """
)


def _created(manifest: Path) -> int:
    try:
        return sum(entry["stage"] == "created" for entry in read_manifest(manifest)["entries"])
    except (OSError, ManifestError):
        return 0


@pytest.mark.parametrize("kill_after", [0, 5], ids=["right-after-it-returned", "after-5-creates"])
def test_a_process_killed_during_a_batch_loses_nothing_and_pays_nothing_twice(
    tmp_path: Path, kill_after: int
) -> None:
    db, key = str(tmp_path / "emulator.db"), "pk_test_killed"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, db, key, str(tmp_path)],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "returned"
        deadline = time.monotonic() + 60
        while _created(tmp_path / "killed.json") < kill_after and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.communicate(timeout=30)  # waits, and closes the pipe

    with Emulator(api_key=key, plan="free", job_seconds=(0.3, 0.6), db=db, rate_window=4.0) as emulator:
        with ProductAI(api_key=key, base_url=emulator.base_url, rate_window=4.0) as client:
            made_before = client.jobs.list(limit=100).total
            batch = Batch.open("killed", client, batch_dir=tmp_path).wait(timeout=90)

            assert [job.status for job in batch] == ["completed"] * 12
            page = client.jobs.list(limit=100)
            assert page.total == 12 == len({job.id for job in batch})  # one create per job, none twice
            assert creates(emulator, client) == 12 - made_before


def test_two_runs_of_a_notebook_at_once_make_one_batch(emulator: Emulator, tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with fresh_client(emulator) as client:
        with ThreadPoolExecutor(2) as pool:
            runs = list(pool.map(lambda _: client.batch(**AXES, name="mugs", batch_dir=tmp_path), range(2)))
        ids = [[job.id for job in run.wait(timeout=60)] for run in runs]
        assert ids[0] == ids[1] and creates(emulator, client) == 4


async def test_an_async_batch_reopens_and_exports(emulator: Emulator, tmp_path: Path) -> None:
    from productai_notebook.api import AsyncBatch, AsyncProductAI

    key = f"pk_test_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    async with AsyncProductAI(api_key=key, base_url=emulator.base_url) as client:
        made = await (await client.batch(**AXES, name="mugs", batch_dir=tmp_path)).wait(timeout=60)
        made.jobs[0].pick(0)
    async with AsyncProductAI(api_key=key, base_url=emulator.base_url) as later:
        opened = await (await AsyncBatch.open("mugs", later, batch_dir=tmp_path)).wait(timeout=60)
        assert [job.id for job in opened] == [job.id for job in made]
        written = await opened.export(tmp_path / "out")
        assert [path.name for path in written] == [f"{made.jobs[0].id}_0.jpg"]
        frame = opened.to_dataframe()
        assert list(frame["stage"]) == ["created"] * 4 and frame["error"].isna().all()
    assert emulator.requests(key)["routes"]["generate"] == 4


def test_a_second_batch_object_of_one_manifest_follows_the_first_and_sends_nothing(
    emulator: Emulator, tmp_path: Path
) -> None:
    axes = {**AXES, "prompts": [f"scene {n}" for n in range(8)]}
    with fresh_client(emulator) as client:
        first = client.batch(**axes, name="mugs", batch_dir=tmp_path)
        second = Batch.open("mugs", client, batch_dir=tmp_path)  # while the first still sends
        assert [job.id for job in second.wait(timeout=90)] == [job.id for job in first.wait(timeout=90)]
        assert creates(emulator, client) == 16


def _until_free(lock: SenderLock) -> None:
    """Wait (at most 30 s) until no worker holds `lock`'s batch."""
    wait_until(lock.acquire, "the first worker to let go of the batch", timeout=30)
    lock.release()


async def test_a_worker_that_takes_a_batch_over_first_reads_what_the_other_one_sent(
    emulator: Emulator, tmp_path: Path
) -> None:
    from productai_notebook.api import AsyncBatch, AsyncProductAI

    key = f"pk_test_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    elsewhere = SenderLock(tmp_path / "mugs.json")  # another kernel sends this batch's creates
    assert elsewhere.acquire()
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        first = client.batch(**AXES, name="mugs", batch_dir=tmp_path)  # made; it waits for the lock
        async with AsyncProductAI(api_key=key, base_url=emulator.base_url) as later:
            # opened while nothing is sent: its worker, a task, runs at the loop's next turn
            second = await AsyncBatch.open("mugs", later, batch_dir=tmp_path)
            elsewhere.release()
            # (blocking calls hold the loop) the first sends every create, then lets go of the lock
            first.wait(timeout=60)
            _until_free(elsewhere)
            # the second takes the lock over with a view of the manifest that is all "queued"
            await second.wait(timeout=60)
            assert [job.id for job in second] == [job.id for job in first]
    assert emulator.requests(key)["routes"]["generate"] == 4  # nothing sent twice


def test_the_dry_run_of_a_batch_made_before_costs_only_what_is_left_to_send(
    emulator: Emulator, tmp_path: Path
) -> None:
    with fresh_client(emulator) as client:
        client.batch(**AXES, name="mugs", batch_dir=tmp_path).wait(timeout=60)
        again = client.batch(**AXES, name="mugs", dry_run=True, batch_dir=tmp_path)
        assert (again.jobs, again.credits, again.requests) == (0, 0, 0)
        other = client.batch(**AXES, name="other", dry_run=True, batch_dir=tmp_path)
        assert (other.jobs, other.credits) == (4, 12)
