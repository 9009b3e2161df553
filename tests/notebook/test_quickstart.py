"""notebooks/quickstart.ipynb run headless, as CI and nbconvert users do: it saves the finished job,
and its named batch, run again, is re-attached rather than paid for twice."""

from __future__ import annotations

import copy
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from productai_notebook.contract import API_KEY_ENV, BASE_URL_ENV
from productai_notebook.sandbox import SANDBOX_API_KEY, SANDBOX_DB_ENV

ROOT = Path(__file__).resolve().parents[2]
QUICKSTART = ROOT / "notebooks" / "quickstart.ipynb"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def execute(env: dict[str, str], saved: Path, workdir: Path) -> nbformat.NotebookNode:
    """Run the quickstart in `workdir` (its sandbox and batch manifest go there, not in the repo)."""
    notebook = nbformat.read(QUICKSTART, as_version=4)
    env = {SANDBOX_DB_ENV: "", **env}  # "" unsets: the sandbox keeps its jobs in workdir/.productai
    previous = {name: os.environ.get(name) for name in env}
    for name, value in env.items():  # the kernel inherits this process's environment
        if value:
            os.environ[name] = value
        else:
            os.environ.pop(name, None)
    try:
        NotebookClient(notebook, kernel_name="python3", timeout=240, startup_timeout=120,
                       resources={"metadata": {"path": str(workdir)}}).execute()
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    nbformat.write(notebook, saved)
    return notebook


def job_views(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    models = notebook.metadata["widgets"][WIDGET_STATE]["state"].values()
    return [m["state"] for m in models if m["state"].get("_anywidget_id", "").endswith(".JobView")]


def code_cell(notebook: nbformat.NotebookNode, source: str) -> nbformat.NotebookNode:
    """The one code cell whose source holds `source` (cells are found by what they do, not where)."""
    (cell,) = [cell for cell in notebook.cells if cell.cell_type == "code" and source in cell.source]
    return cell


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(output.get("text", "") for output in cell.outputs)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("quickstart-workdir")


@pytest.fixture(scope="module")
def sandbox_run(tmp_path_factory, workdir) -> tuple[nbformat.NotebookNode, Path]:
    saved = tmp_path_factory.mktemp("quickstart") / "quickstart.ipynb"
    return execute({API_KEY_ENV: ""}, saved, workdir), saved


def test_the_quickstart_is_saved_without_outputs():
    notebook = nbformat.read(QUICKSTART, as_version=4)
    nbformat.validate(notebook)
    assert all(not cell.get("outputs") and not cell.get("execution_count")
               for cell in notebook.cells if cell.cell_type == "code")


def test_the_saved_notebook_holds_the_completed_job_with_its_images(sandbox_run):
    notebook, saved = sandbox_run
    views = job_views(notebook)
    assert views, "no JobView in the saved widget state"
    assert all(view["job"]["status"] == "completed" for view in views)
    assert all(len(view["job"]["images"]) == 3 for view in views)
    assert "0 selected in the gallery; using 1" in printed(code_cell(notebook, "job.selected"))
    downloaded = code_cell(notebook, "job.download(").outputs[0]["data"]["text/plain"]
    assert downloaded.count(".jpg") == 3
    assert SANDBOX_API_KEY not in saved.read_text()


def test_the_batch_prints_its_cost_first_then_shows_its_board_and_finishes(sandbox_run, workdir):
    notebook, _ = sandbox_run
    making = code_cell(notebook, "dry_run=True")
    assert "4 jobs, 4 images" in printed(making)  # 2 prompts x 2 models, one image each
    assert any("application/vnd.jupyter.widget-view+json" in out.get("data", {}) for out in making.outputs)
    summary = printed(code_cell(notebook, "batch.wait("))
    assert "4 jobs, 4 completed" in summary and "0 winners picked" in summary
    assert (workdir / ".productai" / "batches").is_dir()


def test_running_it_again_re_attaches_to_the_batch_and_pays_nothing_twice(sandbox_run, workdir, tmp_path):
    first, _ = sandbox_run
    again = execute({API_KEY_ENV: ""}, tmp_path / "again.ipynb", workdir)
    assert "already exists: re-attached to its 4 jobs" in printed(code_cell(again, "dry_run=True"))
    assert "4 jobs, 4 completed" in printed(code_cell(again, "batch.wait("))
    with sqlite3.connect(workdir / ".productai" / "sandbox.sqlite3") as db:
        (made,) = db.execute("SELECT COUNT(*) FROM jobs").fetchone()
    assert made == 2 * 1 + 4  # each run's single job, and the batch's four once


def test_nbconvert_html_shows_the_thumbnails(sandbox_run):
    notebook, _ = sandbox_run
    urls = [image["url"] for image in job_views(notebook)[0]["job"]["images"]]
    page, _ = HTMLExporter().from_notebook_node(notebook)
    # With widget state saved, the embedded state (JSON, "/" escaped) carries the gallery for the
    # page's widget manager, which nbconvert prefers to the text/html fallback.
    assert all(url.replace("/", "\\/") in page for url in urls)
    # Without it (JupyterLab does not save widget state by default), each view's static HTML shows
    # its thumbnails, kept in the notebook, each linked to its image.
    stateless = copy.deepcopy(notebook)
    del stateless.metadata["widgets"]
    page, _ = HTMLExporter().from_notebook_node(stateless)
    shown = re.findall(r'<img\b[^>]*\ssrc="([^"]+)"', page)
    assert len(shown) >= 3 and all(src.startswith("data:image/jpeg;base64,") for src in shown)
    assert set(urls) <= set(re.findall(r'<a\b[^>]*\shref="([^"]+)"', page))
    assert "<script>alert" not in page


def test_a_real_key_never_reaches_the_saved_notebook(emulator, api_key, tmp_path):
    saved = tmp_path / "quickstart.ipynb"
    notebook = execute({API_KEY_ENV: api_key, BASE_URL_ENV: emulator.base_url}, saved, tmp_path)
    assert job_views(notebook)[0]["job"]["status"] == "completed"
    assert api_key not in saved.read_text()
