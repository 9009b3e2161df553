"""A pick made in JupyterLab after the board settled reaches the saved copy's HTML from the next
cell the user runs, not at once: the output is not drawn again while the user picks."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from page_messages import send_from_browser
from widget_outputs import record_outputs

from productai_notebook import config
from productai_notebook.api import ProductAI
from productai_notebook.notebook import _resend
from productai_notebook.notebook.board import BatchBoard

PICKED = "\u2713 picked"


def what_changed(outputs: list[str]) -> str:
    """How the last output differs from the first, tag by tag (what a failure here needs to say)."""
    first, last = (html.replace(">", ">\n").splitlines() for html in (outputs[0], outputs[-1]))
    diff = difflib.unified_diff(first, last, lineterm="")
    return f"{len(outputs)} outputs; first -> last:\n" + "\n".join(diff)


def test_a_pick_after_the_board_settled_reaches_the_saved_html_from_the_next_cell(
    account: ProductAI, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "thumbnails", False)  # settled as its jobs end
    outputs = record_outputs(monkeypatch)  # the HTML of the board's output, as the notebook would save it
    batch = account.batch(
        prompts=["on marble"], models=["nanobanana2", "seedream"], inputs=["https://example.com/shoe.jpg"],
        num_images=2, batch_dir=tmp_path,
    ).wait(timeout=60)  # fmt: skip
    board = BatchBoard(batch)
    try:
        board._ipython_display_()
        send_from_browser(board, {"type": "shown"})  # JupyterLab drew it
        _resend.resend_changed()  # the cell that showed it ends
        assert len(outputs) == 1 and PICKED not in outputs[-1], what_changed(outputs)
        job = batch.entries[1].job
        send_from_browser(board, {"type": "pick", "job_id": job.id, "index": 1, "picked": True})
        assert batch.winners == [(job, job.images[1])]
        assert len(outputs) == 1, "the view the user picks in is not drawn again under them"
        _resend.resend_changed()  # the next cell the user runs
        assert len(outputs) == 2 and outputs[-1].count(PICKED) == 1
        _resend.resend_changed()  # and the cells after it: nothing changed, nothing drawn again
        assert len(outputs) == 2
    finally:
        board.close()
