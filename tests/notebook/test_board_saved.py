"""A batch's board in a notebook run headless (nbclient), saved, its emulator stopped: the saved copy
holds the grid with its thumbnails as data: images, the prompts as text and the picks marked."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
IMG_SRC = re.compile(r'<img\b[^>]*\ssrc="([^"]+)"')


def cells(batch_dir: Path) -> list[str]:
    return [
        f"""
import productai_notebook as pai
from productai_notebook.emulator import Emulator
emulator = Emulator(job_seconds=(0.6, 1.2)).start()
client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)
batch = client.batch(prompts=["a vase <b>on oak</b>", "a cup"], models=["nanobanana2", "seedream"],
                     inputs=["https://example.com/vase.png"], num_images=2, batch_dir={str(batch_dir)!r})
batch
""",
        "_ = batch.wait(timeout=60)\nbatch.entries[0].job.pick(1)",
        "emulator.stop()",
    ]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    folder = tmp_path_factory.mktemp("board_saved")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source.strip()) for source in cells(folder / "batches")]
    NotebookClient(notebook, kernel_name="python3", timeout=120, startup_timeout=120,
                   resources={"metadata": {"path": str(ROOT)}}).execute()  # fmt: skip
    nbformat.write(notebook, folder / "saved.ipynb")
    return nbformat.read(folder / "saved.ipynb", as_version=4)


def test_the_saved_copy_has_the_finished_grid_with_data_thumbnails_prompts_as_text_and_the_pick(saved):
    outputs: list[dict[str, Any]] = saved.cells[0].outputs
    pages = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
    assert len(pages) == 1, outputs  # one output for the whole batch
    page = pages[0]
    assert '<div class="pai-board pai-static"' in page
    assert "4 completed, 0 running, 0 queued, 0 failed" in page
    sources = IMG_SRC.findall(page)
    assert len(sources) == 8 and all(src.startswith("data:image/jpeg;base64,") for src in sources)
    assert "a vase &lt;b&gt;on oak&lt;/b&gt;" in page and "<b>" not in page
    assert page.count("\u2713 picked") == 1
    assert "<script" not in page


def test_the_widget_state_holds_each_thumbnail_once(saved):
    state = saved.metadata["widgets"][WIDGET_STATE]["state"]
    boards = [model["state"] for model in state.values() if "cells" in model["state"]]
    assert len(boards) == 1
    board = boards[0]
    assert [cell["status"] for cell in board["cells"]] == ["completed"] * 4
    assert board["cells"][0]["picks"] == [1]
    buffers = [model.get("buffers", []) for model in state.values() if "cells" in model["state"]][0]
    assert sorted(buffer["path"][1] for buffer in buffers) == sorted(
        f"{cell['job_id']}:{n}" for cell in board["cells"] for n in range(2)
    )
