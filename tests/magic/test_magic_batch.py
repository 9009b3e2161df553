"""`%productai batch NAME`: a batch back after a kernel restart, paying nothing again."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

import productai_notebook as pai
from productai_notebook.api import Batch


@pytest.fixture
def batch_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(pai.config, "batch_dir", tmp_path / "batches")
    return tmp_path / "batches"


def test_the_magic_opens_a_batch_by_its_name(shell, with_account, batch_dir, emulator, capsys):
    made = with_account.batch(
        inputs="https://example.com/shoe.jpg", prompts=["a", "b"], models="seedream", name="shoes"
    ).wait(timeout=60)
    assert made.manifest_path == batch_dir / "shoes.json"  # pai.config.batch_dir decides where

    opened = shell.run_line_magic("productai", "batch shoes")

    assert isinstance(opened, Batch)
    assert [job.id for job in opened.wait(timeout=60)] == [job.id for job in made]
    assert emulator.requests(with_account.api_key)["routes"]["generate"] == 2

    shell.run_line_magic("productai", "batch")
    assert capsys.readouterr().out.endswith(f"Batches in {batch_dir}: shoes\n")


def test_an_unknown_batch_is_one_usage_line(shell, with_account, batch_dir):
    with pytest.raises(UsageError, match="%productai batch: .*no batch named 'nope'"):
        shell.run_line_magic("productai", "batch nope")
