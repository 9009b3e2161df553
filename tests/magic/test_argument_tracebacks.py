"""In a notebook, an argument error shows the user's cell and the message in a dozen lines at most
(IPython hides our frames that set `__tracebackhide__`); an error from deeper down keeps its frames."""

from __future__ import annotations

import io
from contextlib import redirect_stdout

import pytest
from IPython.core.interactiveshell import InteractiveShell

from productai_notebook.emulator import Emulator

MOST_LINES = 12


def _printed(shell: InteractiveShell, cell: str) -> str:
    """What IPython prints for `cell`: its traceback, uncoloured."""
    shell.colors = "nocolor"
    out = io.StringIO()
    with redirect_stdout(out):
        shell.run_cell(cell)
    return out.getvalue()


@pytest.fixture
def shell_with_client(shell: InteractiveShell, emulator: Emulator, account_key: str) -> InteractiveShell:
    shell.run_cell(
        "import productai_notebook as pai\n"
        f"client = pai.ProductAI(api_key={account_key!r}, base_url={emulator.base_url!r})"
    )
    return shell


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('client.generate(model="nanobananna", image_url="https://example.com/a.png", prompt="on a beach")',
         "did you mean 'nanobanana'?"),
        ('client.generate(model="nanobanana2", image_url="https://x.example/a", prompt="a", num_images=9)',
         "num_images: must be 1 to 4, got 9; did you mean 4?"),
        ('client.assets.upload("no_such_bottle.png")', "file: cannot read 'no_such_bottle.png'"),
        ("client.jobs.list(status='done')", "status:"),
    ],
)
def test_an_argument_error_shows_the_users_call_and_the_message_in_a_dozen_lines(
    shell_with_client: InteractiveShell, cell: str, message: str
):
    printed = _printed(shell_with_client, cell)
    lines = printed.splitlines()
    assert len(lines) <= MOST_LINES, printed
    assert cell in printed  # the user's own call
    assert lines[-1].startswith("InvalidArgumentError: ") and message in lines[-1], printed
    assert '"""' not in printed and "generate_body" not in printed  # no docstring, no inner call


def test_an_error_from_deeper_down_keeps_its_frames(shell: InteractiveShell, emulator: Emulator):
    shell.run_cell(
        "import productai_notebook as pai\n"
        f"client = pai.ProductAI(api_key='pk_test_not_an_account_0000', base_url={emulator.base_url!r})"
    )
    cell = 'client.generate(model="nanobanana2", image_url="https://x.example/a.png", prompt="a")'
    printed = _printed(shell, cell)
    assert "AuthenticationError" in printed.splitlines()[-1]
    assert printed.count("\nFile ") >= 2, printed  # the frames below the call, where it went wrong
