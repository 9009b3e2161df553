"""How the widgets' front-end code reaches the browser: once per kernel, each widget carrying a loader."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import ipywidgets
from ipywidgets.embed import dependency_state

from productai_notebook.api import ProductAI
from productai_notebook.notebook import _front_end
from productai_notebook.notebook._front_end import NOT_BUILT_ESM, FrontEnd
from productai_notebook.notebook.gallery import Gallery
from productai_notebook.notebook.job_view import JobView
from productai_notebook.notebook.jobs_table import JobsTable

STATIC = Path(_front_end.__file__).parent.parent / "static"
LOADER_MAX_BYTES = 2_000


def job_view(client: ProductAI) -> JobView:
    job = client.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt="a")
    return JobView.for_job(job)


def holder_of(state: dict[str, object]) -> FrontEnd:
    """The FrontEnd a widget's state refers to, as the browser finds it (by its model id)."""
    ref = str(state["_front_end"])
    assert ref.startswith("IPY_MODEL_")
    holder = ipywidgets.widget_serialization["from_json"](ref, None)  # among the kernel's open widgets
    assert isinstance(holder, FrontEnd)
    return holder


def test_a_job_view_carries_only_the_loader_and_reaches_its_code_through_the_shared_widget(client):
    view = job_view(client)
    state = view.get_state()
    assert len(state["_esm"].encode()) < LOADER_MAX_BYTES
    assert state["_esm"] == (STATIC / "loader.js").read_text()
    assert state["_css"] == ""
    holder = holder_of(state)
    assert holder.name == "job_view"
    assert holder.esm == (STATIC / "job_view.js").read_text()
    assert holder.css == (STATIC / "job_view.css").read_text()
    view.close()


def test_one_front_end_widget_per_kind_serves_every_widget_of_the_kernel(client):
    first, second = job_view(client), job_view(client)
    table, gallery = JobsTable(client), Gallery([])
    holders = [holder_of(widget.get_state()) for widget in (first, second, table, gallery)]
    assert holders[0] is holders[1]
    assert [holder.name for holder in holders[1:]] == ["job_view", "jobs_table", "gallery"]
    assert holders[2].esm == (STATIC / "jobs_table.js").read_text()
    for widget in (first, second, table, gallery):
        widget.close()


def test_widgets_made_after_the_front_end_widget_closed_get_an_open_one(client):
    first = job_view(client)
    closed = holder_of(first.get_state())
    closed.close()  # as `ipywidgets.Widget.close_all()` closes it
    second = job_view(client)
    again = holder_of(second.get_state())
    assert again is not closed and again.comm is not None
    # a widget made before still sends its whole state, pointing the page at the open one
    assert holder_of(first.get_state()) is again
    first.send_state()
    first.close()
    second.close()


def test_a_rebuilt_front_end_reaches_the_widgets_made_after_it(client, tmp_path, monkeypatch):
    for name in ("loader.js", "job_view.js", "job_view.css"):
        (tmp_path / name).write_text((STATIC / name).read_text())
    monkeypatch.setattr(_front_end, "_STATIC", tmp_path)
    before = job_view(client)
    digest = holder_of(before.get_state()).digest
    (tmp_path / "job_view.js").write_text("export default { render({ el }) { el.textContent = 'v2'; } };\n")
    after = job_view(client)
    holder = holder_of(after.get_state())
    assert holder.esm.endswith("'v2'; } };\n")
    assert holder.digest != digest  # the page imports the new code rather than its cached one
    before.close()
    after.close()


def test_an_unbuilt_front_end_says_so_in_every_widget(client, tmp_path, monkeypatch):
    monkeypatch.setattr(_front_end, "_STATIC", tmp_path)  # nothing built there
    view = job_view(client)
    state = view.get_state()
    assert state["_esm"] == NOT_BUILT_ESM
    assert state["_front_end"] is None
    view.close()


def test_in_marimo_each_widget_carries_its_whole_front_end(client, monkeypatch):
    # marimo saves no widget state, so nothing is gained there by sharing the code
    monkeypatch.setitem(sys.modules, "marimo", SimpleNamespace(running_in_notebook=lambda: True))
    view = job_view(client)
    state = view.get_state()
    assert state["_esm"] == (STATIC / "job_view.js").read_text()
    assert state["_css"] == (STATIC / "job_view.css").read_text()
    assert state["_front_end"] is None
    view.close()


def test_a_widget_embedded_on_its_own_brings_its_front_ends_code_along(client):
    # `ipywidgets.embed` (embed_minimal_html, embed_snippet) keeps the widgets given and those they refer to
    view = job_view(client)
    models = dependency_state([view]).values()
    assert [m["state"]["name"] for m in models if m["model_name"] == "WidgetModel"] == ["job_view"]
    view.close()
