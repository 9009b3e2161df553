"""productai-notebook's JupyterLab extension (js/labextension/: a notebook opened with no kernel
draws its widgets from their saved state) is installed where JupyterLab and Notebook 7 look for
it, and is the copy `npm run build` made last."""

from __future__ import annotations

import json
from pathlib import Path

from jupyter_core.paths import jupyter_path
from jupyterlab_server.config import get_federated_extensions

BUILT = Path(__file__).resolve().parents[2] / "productai_notebook" / "labextension"


def test_jupyterlab_loads_the_extension_that_draws_widgets_without_a_kernel() -> None:
    # what the server reads to tell the page which extensions to load
    found = get_federated_extensions(jupyter_path("labextensions"))
    assert "productai-notebook" in found, "no productai-notebook extension: `make install` (or pip install)"
    extension = found["productai-notebook"]
    build = extension["jupyterlab"]["_build"]
    assert build["extension"] == "./extension"
    script = (Path(extension["ext_path"]) / build["load"]).read_text()
    assert "_JUPYTERLAB" in script and "productai-notebook" in script  # the container it registers
    assert extension["install"]["packageName"] == "productai-notebook"  # pip removes it with the package
    # an editable install copies the build: after a change in js/labextension, `make install` again
    installed = json.loads((Path(extension["ext_path"]) / "package.json").read_text())
    assert installed == json.loads((BUILT / "package.json").read_text())
