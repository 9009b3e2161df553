"""`%productai batch NAME` shows the batch's board: one widget for the whole batch."""

from __future__ import annotations

from IPython.utils.capture import capture_output

import productai_notebook as pai


def test_the_magic_shows_the_batch_as_its_board(shell, with_account, tmp_path, monkeypatch):
    monkeypatch.setattr(pai.config, "batch_dir", tmp_path / "batches")
    made = with_account.batch(
        inputs="https://example.com/shoe.jpg", prompts=["a", "b"], models="seedream", name="shoes"
    ).wait(timeout=60)

    with capture_output() as shown:
        shell.run_cell("%productai batch shoes", store_history=True)

    [output] = shown.outputs
    assert "application/vnd.jupyter.widget-view+json" in output.data
    assert '<div class="pai-board pai-static"' in output.data["text/html"]
    assert output.data["text/plain"].startswith(f"Batch shoes: {len(made)} jobs")
