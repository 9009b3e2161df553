"""A notebook run headless (nbclient), saved, its emulator stopped: what a viewer without widgets shows.

The notebook displays jobs while they run, a Gallery and a JobsTable, waits in a later cell and
stops its emulator: the saved `text/html` of every output must show the final state.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]

CELLS = [
    """
import productai_notebook as pai
from productai_notebook.emulator import Emulator
emulator = Emulator(job_seconds=(0.6, 1.2)).start()
client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)
""",
    """
job = client.generate(model="nanobanana2", image_url="https://example.com/vase.png",
                      prompt="a vase", num_images=2)
job
""",
    """
broken = client.generate(model="nanobanana2", image_url="https://example.com/vase.png", prompt="a vase #fail")
broken
""",
    """
more = client.generate(model="seedream", image_url="https://example.com/cup.png", prompt="a cup",
                       num_images=2)
gallery = pai.Gallery([more])
gallery
""",
    "pai.JobsTable(client)",
    "_ = client.jobs.wait_all([job, broken, more], timeout=60)",
    "emulator.stop()",
]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source.strip()) for source in CELLS]
    NotebookClient(notebook, kernel_name="python3", timeout=120, startup_timeout=120,
                   resources={"metadata": {"path": str(ROOT)}}).execute()
    path = tmp_path_factory.mktemp("saved") / "saved.ipynb"
    nbformat.write(notebook, path)
    return nbformat.read(path, as_version=4)


def html_of(notebook: nbformat.NotebookNode, cell: int) -> str:
    outputs: list[dict[str, Any]] = notebook.cells[cell].outputs
    pages = [out["data"]["text/html"] for out in outputs if "text/html" in out.get("data", {})]
    assert len(pages) == 1, f"cell {cell} outputs: {outputs}"
    return pages[0]


def test_a_job_displayed_while_running_is_saved_completed(saved):
    page = html_of(saved, 1)
    assert 'data-status="completed"' in page
    assert "<progress" not in page
    assert len(re.findall(r"<img\b", page)) == 2


def test_a_failed_job_is_saved_with_its_error(saved):
    page = html_of(saved, 2)
    assert 'data-status="failed"' in page
    assert "generation_failed" in page


def test_a_gallery_of_a_running_job_is_saved_with_its_images(saved):
    assert len(re.findall(r"<img\b", html_of(saved, 3))) == 2


def test_the_jobs_table_is_saved_with_every_row_ended(saved):
    page = html_of(saved, 4)
    statuses = re.findall(r"<td>(pending|processing|completed|failed)</td>", page)
    assert sorted(statuses) == ["completed", "completed", "failed"]
