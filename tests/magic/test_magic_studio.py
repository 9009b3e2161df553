"""`%productai studio` opens the studio on the notebook's client."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

import productai_notebook as pai


def test_the_magic_opens_a_studio_on_the_chosen_client(shell, with_account):
    studio = shell.run_line_magic("productai", "studio")
    try:
        assert isinstance(studio, pai.Studio)
        assert studio.account["balance"] is not None
    finally:
        studio.close()


def test_without_a_client_it_says_how_to_get_one(shell):
    with pytest.raises(UsageError, match="%productai sandbox"):
        shell.run_line_magic("productai", "studio")
