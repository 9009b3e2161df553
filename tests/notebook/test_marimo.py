"""marimo: the package imports without IPython, and notebooks/quickstart_marimo.py runs as a marimo app."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from productai_notebook.contract import API_KEY_ENV, BASE_URL_ENV

APP = Path(__file__).resolve().parents[2] / "notebooks" / "quickstart_marimo.py"


def test_importing_the_package_loads_no_ipython() -> None:
    # marimo has no IPython shell: `import productai_notebook as pai` and `pai.sandbox` must not need one.
    script = textwrap.dedent(
        """
        import sys
        import productai_notebook as pai
        assert callable(pai.sandbox) and callable(pai.use)
        print("IPython" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.timeout(240)  # ~12 s; a first run on a busy machine once took far longer
def test_the_marimo_quickstart_runs_every_cell(tmp_path: Path) -> None:
    """`marimo export session` runs the app in marimo's own runtime and records every cell's output."""
    shutil.copy(APP, tmp_path / APP.name)  # the snapshot goes beside the notebook: not into the repo
    env = {name: value for name, value in os.environ.items() if name not in (API_KEY_ENV, BASE_URL_ENV)}
    env.update(HOME=str(tmp_path), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_STATE_HOME=str(tmp_path / "state"))  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "marimo", "export", "session", APP.name],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=220,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

    snapshot = json.loads((tmp_path / "__marimo__" / "session" / f"{APP.name}.json").read_text())
    outputs = [output for cell in snapshot["cells"] for output in cell["outputs"]]
    errors = [output for output in outputs if output.get("type") == "error"]
    assert not errors, errors
    html = [str(output.get("data", {}).get("text/html", "")) for output in outputs]
    # the JobView, the Gallery and the JobsTable, each a live anywidget
    assert sum("<marimo-anywidget" in text for text in html) == 3
    markdown = " ".join(str(output.get("data", {}).get("text/markdown", "")) for output in outputs)
    assert "0 selected in the gallery" in markdown
    assert "Click a row of the table to see its job here." in markdown  # until a row is clicked
