"""A notebook run headless (nbclient), saved, its emulator stopped: what a viewer without widgets shows.

The notebook displays jobs while they run, a Gallery and a JobsTable, waits in a later cell and
stops its emulator: the saved `text/html` of every output must show the final state, with the
thumbnails inside the notebook (the image URLs are dead once the emulator stops).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter
from traitlets.config import Config

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "productai_notebook" / "static"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
IMG_SRC = re.compile(r'<img\b[^>]*\ssrc="([^"]+)"')

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


def test_a_job_displayed_while_running_is_saved_completed_with_its_thumbnails(saved):
    page = html_of(saved, 1)
    assert 'data-status="completed"' in page
    assert "<progress" not in page
    sources = IMG_SRC.findall(page)
    assert len(sources) == 2 and all(src.startswith("data:image/jpeg;base64,") for src in sources)


def test_a_failed_job_is_saved_with_its_error(saved):
    page = html_of(saved, 2)
    assert 'data-status="failed"' in page
    assert "generation_failed" in page


def test_a_gallery_of_a_running_job_is_saved_with_its_thumbnails(saved):
    sources = IMG_SRC.findall(html_of(saved, 3))
    assert len(sources) == 2 and all(src.startswith("data:image/jpeg;base64,") for src in sources)


def test_the_saved_widget_state_holds_the_thumbnails(saved):
    models = saved.metadata["widgets"][WIDGET_STATE]["state"].values()
    kept = {
        model["state"]["_anywidget_id"].rsplit(".", 1)[-1]: sorted(tuple(b["path"]) for b in model["buffers"])
        for model in models
        if model.get("buffers")
    }
    assert kept["JobView"] == [("thumbnails", "0"), ("thumbnails", "1")]
    assert [path[0] for path in kept["Gallery"]] == ["thumbnails", "thumbnails"]


def test_nbconvert_html_shows_every_thumbnail_offline_with_the_readme_option(saved):
    # the README's option: without the saved widget state nbconvert shows each output's HTML,
    # not the widgets, whose manager it would load from a CDN
    option = Config({"ClearMetadataPreprocessor": {"enabled": True}})
    page, _ = HTMLExporter(config=option).from_notebook_node(saved)
    sources = IMG_SRC.findall(page)
    assert len(sources) == 4 and all(src.startswith("data:image/jpeg;base64,") for src in sources)


def test_the_jobs_table_is_saved_with_every_row_ended(saved):
    page = html_of(saved, 4)
    statuses = re.findall(r"<td>(pending|processing|completed|failed)</td>", page)
    assert sorted(statuses) == ["completed", "completed", "failed"]


def test_the_saved_notebook_keeps_each_front_ends_code_once(saved):
    models = saved.metadata["widgets"][WIDGET_STATE]["state"]
    code = {model_id: model["state"] for model_id, model in models.items() if "esm" in model["state"]}
    by_name = {state["name"]: state for state in code.values()}
    assert len(code) == len(by_name) and sorted(by_name) == ["gallery", "job_view", "jobs_table"]
    assert by_name["job_view"]["esm"] == (STATIC / "job_view.js").read_text()
    widgets = [model["state"] for model in models.values() if "_anywidget_id" in model["state"]]
    kinds = sorted(state["_anywidget_id"].rsplit(".", 1)[-1] for state in widgets)
    assert kinds == ["Gallery", "JobView", "JobView", "JobsTable"]
    for state in widgets:  # each its loader and a reference the page follows to the code
        assert len(state["_esm"]) < 2_000 and state["_css"] == ""
        assert state["_front_end"].removeprefix("IPY_MODEL_") in code
