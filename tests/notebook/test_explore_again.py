"""Running notebooks/explore.ipynb again (Run All, a new kernel) pays for nothing twice."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "explore.ipynb"


@pytest.mark.timeout(600)
def test_a_second_run_reattaches_to_the_named_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRODUCTAI_SANDBOX_DB", raising=False)
    monkeypatch.delenv("PRODUCTAI_API_KEY", raising=False)
    outputs = []
    for _ in range(2):  # each run is a new kernel, as after a restart
        notebook = nbformat.read(NOTEBOOK, as_version=4)
        NotebookClient(
            notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
        ).execute()
        outputs.append(notebook)

    with sqlite3.connect(tmp_path / ".productai" / "sandbox.sqlite3") as db:
        (made,) = db.execute("SELECT COUNT(*) FROM jobs").fetchone()
    assert made == 6
    code = [cell for cell in outputs[1].cells if cell.cell_type == "code"]
    second_run = "".join(output.get("text", "") for cell in code for output in cell.outputs)
    assert "Batch 'explore-sneakers' already exists: re-attached" in second_run
