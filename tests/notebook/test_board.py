"""The batch board in Python: what it sends the browser, picks that are the batch's, downloads, display."""

from __future__ import annotations

import asyncio
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from notebook_waits import wait_until
from page_messages import send_from_browser

import productai_notebook as pai
from productai_notebook.api import ProductAI
from productai_notebook.emulator import Emulator
from productai_notebook.notebook.board import BatchBoard

URL = "https://example.com/products/shoe.jpg"
PROMPTS = ["on marble", "on sand #fail"]  # the emulator fails a job whose prompt says #fail
MODELS = ["nanobanana2", "seedream"]
# an ended job's entry: no progress or estimate any more (the saved copy keeps less); a failure adds its error
ENDED_KEYS = {"at", "stage", "job_id", "status", "num_images", "images", "picks", "credits"}


@pytest.fixture
def batch(account: ProductAI, tmp_path: Path) -> Any:
    made = account.batch(prompts=PROMPTS, models=MODELS, inputs=[URL], num_images=2, batch_dir=tmp_path)
    return made.wait(timeout=60)


def shown(board: BatchBoard) -> list[dict[str, Any]]:
    board._live.show_now()  # what the next (throttled) update sends
    return board.cells


def test_the_board_has_one_compact_entry_per_job_in_its_place_on_the_axes(batch: Any) -> None:
    board = BatchBoard(batch)
    try:
        assert board.axes == {"input": ["shoe.jpg"], "prompt": PROMPTS, "model": MODELS}  # inputs by label
        cells = shown(board)
        assert [cell["at"] for cell in cells] == [[0, 0, 0], [0, 0, 1], [0, 1, 0], [0, 1, 1]]
        assert [set(cell) - ENDED_KEYS for cell in cells] == [set(), set(), {"error"}, {"error"}]
        done, failed = cells[0], cells[2]
        assert done["status"] == "completed" and len(done["images"]) == 2 and done["credits"] > 0
        assert failed["status"] == "failed" and failed["images"] == []
        assert failed["error"].startswith(f"{batch.entries[2].job.error.code}: ")
        # thumbnails travel once, in their own trait, never inside the entries
        wait_until(lambda: len(shown(board) and board.thumbnails) == 4, "the board's 4 thumbnails")
        assert set(board.thumbnails) == {f"{cells[n]['job_id']}:{i}" for n in (0, 1) for i in (0, 1)}
        assert "base64" not in str(board.cells)
    finally:
        board.close()


def test_a_board_pick_is_the_batchs_winner_and_a_pick_in_python_shows_on_the_board(batch: Any) -> None:
    board = BatchBoard(batch)
    try:
        first, second = batch.entries[0].job, batch.entries[1].job
        board.picked_keys = [f"{first.id}:1"]  # as the page sets it
        assert batch.winners == [(first, first.images[1])]
        second.pick(0)  # in Python, or in any other view of the job
        assert [cell["picks"] for cell in shown(board)][:2] == [[1], [0]]
        # the page, not yet told of that pick, unpicks the first job's: the second keeps its own
        board.picked_keys = []
        assert batch.winners == [(second, second.images[0])]
        # a stale page's pick of an image the job does not have, or of another batch's job: nothing
        board.picked_keys = [f"{first.id}:7", "job_elsewhere:0", "garbage"]
        assert batch.winners == [(second, second.images[0])]
        # the message each pick sends as well (it reaches Python at once)
        send_from_browser(board, {"type": "pick", "job_id": first.id, "index": 0, "picked": True})
        send_from_browser(board, {"type": "pick", "job_id": second.id, "index": 0, "picked": False})
        send_from_browser(board, {"type": "pick", "job_id": first.id, "index": 9, "picked": True})
        assert batch.winners == [(first, first.images[0])]
    finally:
        board.close()


def test_download_picks_answers_with_one_zip_named_as_batch_export_names_them(batch: Any) -> None:
    board = BatchBoard(batch)
    sent: list[tuple[dict[str, Any], list[bytes]]] = []
    board.send = lambda content, buffers=None: sent.append((content, list(buffers or [])))  # type: ignore[method-assign]
    try:
        job = batch.entries[1].job
        job.pick(1)
        send_from_browser(board, {"type": "download_picks", "request": 7})
        wait_until(lambda: bool(sent), "the board's update")
        content, buffers = sent[0]
        assert content["request"] == 7 and content["filename"] == f"{batch.name}_picks.zip"
        assert content["mime"] == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(buffers[0])).namelist()
        assert f"{job.id}_1.png" in names or f"{job.id}_1.jpg" in names
        assert {"manifest.csv", "manifest.json"} <= set(names)
        assert len([name for name in names if not name.startswith("manifest")]) == 1
    finally:
        board.close()


def test_displaying_a_batch_shows_the_board_with_its_static_copy(batch: Any) -> None:
    data, _ = batch._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert '<div class="pai-board pai-static"' in data["text/html"]
    assert data["text/plain"].startswith(f"Batch {batch.name}: 4 jobs")
    assert pai.BatchBoard is BatchBoard


def test_the_thumbnail_budget_grows_with_the_batch_and_keeps_the_off_switch(
    account: ProductAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = account.batch(prompts=["one"], models=["nanobanana2"], inputs=[URL], batch_dir=tmp_path)
    board = BatchBoard(small.wait(timeout=60))
    try:
        assert board._thumbnail_budget() == pai.config.thumbnail_budget_bytes  # never less than a widget's
        monkeypatch.setattr(board, "_batch", type("Big", (), {"entries": small.entries * 100})())
        assert board._thumbnail_budget() == 100 * pai.config.thumbnail_max_bytes
    finally:
        board.close()
    monkeypatch.setattr(pai.config, "thumbnails", False)
    board = BatchBoard(small)
    try:
        board._finish(1)
        assert shown(board) and board.thumbnails == {}
    finally:
        board.close()


def test_one_line_says_what_waits_on_the_request_budget(batch: Any) -> None:
    board = BatchBoard(batch)
    try:
        shown(board)
        assert board.rate["limit"] > 0 and board.budget == {}  # the plan's limit, for the ETA
        ended = batch.entries[0].job
        board._connection_of(ended)("queued")  # the tracker: this job's images wait on the budget
        assert shown(board) and board.budget["waiting"] == "images" and board.budget["seconds"] >= 1
        board._connection_of(ended)("idle")
        assert shown(board) and board.budget == {}
    finally:
        board.close()


async def test_an_async_batch_has_its_board_and_its_picks(
    emulator: Emulator, account_key: str, tmp_path: Path
) -> None:
    from productai_notebook.api import AsyncProductAI

    async with AsyncProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        batch = await client.batch(prompts=["on marble"], models=MODELS, inputs=[URL], batch_dir=tmp_path)
        await batch.wait(timeout=60)
        board = BatchBoard(batch)
        try:
            job = batch.entries[1].job
            board.picked_keys = [f"{job.id}:0"]
            assert batch.winners == [(job, job.images[0])]
            made = await asyncio.to_thread(board._picks_zip)  # as "Download picks" does: on its own thread
            names = [
                name
                for name in zipfile.ZipFile(io.BytesIO(made)).namelist()
                if not name.startswith("manifest")
            ]
            assert len(names) == 1 and names[0].startswith(f"{job.id}_0.")
        finally:
            board.close()


def test_a_failed_create_shows_its_whole_message_what_to_do_next_included() -> None:
    from productai_notebook.api import BatchEntry, InsufficientCreditsError, JobSpec
    from productai_notebook.notebook.board import board_cell

    spec = JobSpec(input_label="shoe.jpg", prompt="on marble", model="seedream", num_images=2)
    error = InsufficientCreditsError(403, "insufficient_credits", "8 credits needed, 2 left")
    assert board_cell(BatchEntry(spec=spec, stage="failed", error=error), [0, 0, 1]) == {
        "at": [0, 0, 1], "stage": "failed", "job_id": None, "status": None, "num_images": 2,
        "error": str(error),
    }  # fmt: skip
    assert str(error).startswith("403 insufficient_credits: 8 credits needed, 2 left.")
