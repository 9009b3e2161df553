"""notebooks/explore.ipynb runs headless from top to bottom and saves what a reader should see."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def test_it_is_saved_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> nbformat.NotebookNode:
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    workdir = tmp_path_factory.mktemp("explore")
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    ).execute()
    return notebook


def _outputs(notebook, marker: str) -> list[dict]:
    (cell,) = [cell for cell in notebook.cells if cell.cell_type == "code" and marker in cell.source]
    return cell.outputs


@pytest.mark.timeout(400)
def test_it_runs_and_shows_the_table_the_gallery_and_the_picked_images(executed):
    states = executed.metadata["widgets"][WIDGET_STATE]["state"]

    table_outputs = _outputs(executed, "t = %productai jobs")
    (table_output,) = [output for output in table_outputs if WIDGET_VIEW in output.get("data", {})]
    panel_id = table_output["data"][WIDGET_VIEW]["model_id"]
    table_state = next(s["state"] for s in states.values() if "rows" in s["state"])
    assert panel_id in states
    assert len(table_state["rows"]) == 5  # the failed job is not listed under "completed"
    assert {row["status"] for row in table_state["rows"]} == {"completed"}
    assert "<table" in table_output["data"]["text/html"]

    gallery_state = next(s["state"] for s in states.values() if "items" in s["state"])
    assert len(gallery_state["items"]) == 10
    assert {item["model"] for item in gallery_state["items"]} == {"nanobanana2", "seedream", "kontext-pro"}
    assert gallery_state["group_by"] == "model"

    printed = "".join(o.get("text", "") for o in _outputs(executed, "picked = "))
    assert len(printed.strip().splitlines()) == 2
    assert "the sneaker" in printed


def test_the_saved_notebook_holds_no_key(executed):
    from productai_notebook.sandbox import SANDBOX_API_KEY

    assert SANDBOX_API_KEY not in json.dumps(executed)
