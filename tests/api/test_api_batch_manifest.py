"""A batch's manifest file: a change costs a line, a kill mid-write loses nothing, damage is an error."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from batch_helpers import creates, fresh_client

from productai_notebook.api import Batch, ManifestError, ProductAI
from productai_notebook.api.batches.manifest import ManifestFile, bytes_written, read_manifest
from productai_notebook.emulator import Emulator

URL = "https://example.com/products/mug.jpg"


def a_manifest(jobs: int) -> dict[str, Any]:
    spec = {"input": "mug", "model": "seedream", "num_images": 1, "aspect_ratio": "1:1"}
    return {
        "name": "mugs",
        "created_at": "2026-12-04T08:00:00+00:00",
        "inputs": [{"label": "mug", "image_url": URL}],
        "entries": [{"spec": {**spec, "prompt": f"scene {n}"}, "stage": "queued"} for n in range(jobs)],
    }


def test_a_batchs_creates_append_lines_instead_of_rewriting_the_manifest(
    emulator: Emulator, tmp_path: Path
) -> None:
    prompts = [f"scene {n}" for n in range(12)]
    with fresh_client(emulator) as client:
        before = bytes_written()
        batch = client.batch(inputs=URL, prompts=prompts, models=["seedream", "nanobanana"],
                             name="mugs", batch_dir=tmp_path).wait(timeout=90)
        written = bytes_written() - before
        size = batch.manifest_path.stat().st_size
        # rewriting the file at each create's send and answer writes about 2 x 24 files' worth
        assert written < 6 * size, (written, size)
        # the worker's end folded the journal into the header: one line, every job id in it
        assert batch.manifest_path.read_bytes().count(b"\n") == 1
        assert [entry["job_id"] for entry in read_manifest(batch.manifest_path)["entries"]] == [
            job.id for job in batch
        ]


def test_changes_are_lines_after_the_header_and_reading_folds_them(tmp_path: Path) -> None:
    path = tmp_path / "mugs.json"
    manifest = ManifestFile(path)
    manifest.create(a_manifest(40))
    header = path.stat().st_size

    manifest.record([{"entry": 3, "stage": "sending", "sent_at": "2026-12-04T08:00:01+00:00"}], whole=dict)
    manifest.record([{"entry": 3, "stage": "created", "job_id": "job_3", "picks": [1]}], whole=dict)

    lines = path.read_bytes().splitlines()
    assert len(lines) == 3 and path.stat().st_size - header < 200  # a line per change, not the file
    entry = read_manifest(path)["entries"][3]
    assert entry["stage"] == "created" and entry["job_id"] == "job_3" and entry["picks"] == [1]
    assert entry["spec"]["prompt"] == "scene 3" and "sent_at" not in entry  # the last line says it all


def test_the_journal_is_folded_into_the_header_once_it_outgrows_it(tmp_path: Path) -> None:
    path = tmp_path / "mugs.json"
    manifest = ManifestFile(path)
    state = a_manifest(4)
    manifest.create(state)
    for n in range(40):
        state["entries"][n % 4] = {**state["entries"][n % 4], "stage": "created", "job_id": f"job_{n}"}
        manifest.record([{"entry": n % 4, "stage": "created", "job_id": f"job_{n}"}], whole=lambda: state)
        assert path.stat().st_size < 3 * len(path.read_bytes().splitlines()[0])
    last = [f"job_{n}" for n in range(36, 40)]
    assert [entry["job_id"] for entry in read_manifest(path)["entries"]] == last


def test_folding_keeps_the_lines_another_worker_appended(tmp_path: Path) -> None:
    path = tmp_path / "mugs.json"
    sender, other = ManifestFile(path), ManifestFile(path)  # two kernels on one batch
    state = a_manifest(4)
    sender.create(state)
    other.read()
    other.record([{"entry": 1, "stage": "created", "job_id": "job_1", "picks": [2]}], whole=dict)
    for n in range(30):  # the sender's own changes, until its journal outgrows the header
        sender.record([{"entry": 0, "stage": "created", "job_id": f"job_{n}"}], whole=lambda: state)
    sender.compact(whole=lambda: state)
    assert path.read_bytes().count(b"\n") == 1  # folded
    assert read_manifest(path)["entries"][1]["picks"] == [2]


def test_a_torn_last_line_is_ignored_and_the_next_change_rewrites_the_file(tmp_path: Path) -> None:
    path = tmp_path / "mugs.json"
    killed = ManifestFile(path)
    killed.create(a_manifest(3))
    killed.record([{"entry": 0, "stage": "sending"}], whole=dict)
    with path.open("ab") as file:
        file.write(b'{"entry": 1, "stage": "crea')  # a process killed in the middle of a line

    manifest = ManifestFile(path)
    assert [entry["stage"] for entry in manifest.read()["entries"]] == ["sending", "queued", "queued"]
    manifest.record([{"entry": 1, "stage": "sending"}], whole=dict)
    assert [entry["stage"] for entry in read_manifest(path)["entries"]] == ["sending", "sending", "queued"]
    assert path.read_bytes().count(b"\n") == 1  # rewritten whole, the torn line gone


@pytest.mark.parametrize(
    "line",
    [b"not json\n", b'{"entry": 7, "stage": "created"}\n', b'{"stage": "created"}\n', b"[1]\n"],
    ids=["not-json", "no-such-entry", "no-entry", "not-an-event"],
)
def test_a_damaged_line_is_an_error_naming_the_file_and_the_file_is_kept(tmp_path: Path, line: bytes) -> None:
    path = tmp_path / "mugs.json"
    ManifestFile(path).create(a_manifest(2))
    with path.open("ab") as file:
        file.write(line + b'{"entry": 0, "stage": "sending"}\n')
    text = path.read_bytes()
    with pytest.raises(ManifestError, match=rf"{path}.*line 2"):
        read_manifest(path)
    assert path.read_bytes() == text


def test_a_batch_killed_mid_write_opens_with_its_jobs_and_keeps_new_picks(
    emulator: Emulator, tmp_path: Path
) -> None:
    axes = {"inputs": URL, "prompts": ["on marble", "on oak"], "models": ["seedream"]}
    with fresh_client(emulator) as client:
        made = client.batch(**axes, name="mugs", batch_dir=tmp_path).wait(timeout=60)
        with made.manifest_path.open("ab") as file:
            file.write(b'{"entry":0,"stage":"sen')

    with ProductAI(api_key=client.api_key, base_url=emulator.base_url) as later:
        opened = Batch.open("mugs", later, batch_dir=tmp_path).wait(timeout=60)
        assert [job.id for job in opened] == [job.id for job in made]
        opened.jobs[1].pick(0)
        assert creates(emulator, later) == 2
    assert read_manifest(made.manifest_path)["entries"][1]["picks"] == [0]


def test_a_manifest_of_version_1_opens(emulator: Emulator, tmp_path: Path) -> None:
    with fresh_client(emulator) as client:
        made = client.batch(inputs=URL, prompts=["on oak"], models=["seedream"],
                            name="mugs", batch_dir=tmp_path)
        made.wait(timeout=60)
        path = made.manifest_path
        path.write_bytes(path.read_bytes().replace(b'"version":2', b'"version":1').rstrip(b"\n"))
        opened = Batch.open("mugs", client, batch_dir=tmp_path).wait(timeout=60)
        assert [job.id for job in opened] == [made.jobs[0].id]
