"""The harness on a one-widget notebook: when this fails, the browser set-up is broken, not a widget."""

from __future__ import annotations

import nbformat
import pytest
from lab_harness import JupyterServer, cell_with_source, run_notebook
from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

PROBE_WIDGET = '''import anywidget, traitlets

class Probe(anywidget.AnyWidget):
    _esm = """export default { render({ model, el }) {
      const button = document.createElement("button");
      button.className = "probe";
      const show = () => { button.textContent = "clicks " + model.get("clicks"); };
      button.onclick = () => { model.set("clicks", model.get("clicks") + 1); model.save_changes(); };
      model.on("change:clicks", show);
      show();
      el.appendChild(button);
    } }"""
    clicks = traitlets.Int(0).tag(sync=True)

probe = Probe()
probe'''


@pytest.fixture
def probe_notebook(lab: JupyterServer) -> str:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(PROBE_WIDGET),
        nbformat.v4.new_code_cell('print("python sees", probe.clicks, "clicks")'),
    ]
    nbformat.write(nb, lab.root_dir / "probe.ipynb")
    return "probe.ipynb"


def test_a_clicked_widget_reaches_python(page: Page, lab: JupyterServer, probe_notebook: str) -> None:
    button = run_notebook(page, lab, probe_notebook, "button.probe")
    button.click()
    button.click()
    assert button.inner_text() == "clicks 2"

    cell = cell_with_source(page, "python sees")
    cell.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Control+Enter")
    cell.locator(".jp-OutputArea-output", has_text="python sees 2 clicks").wait_for(timeout=60_000)
