"""How a widget's front-end code reaches the browser: once per kernel, not once per widget.

anywidget keeps a widget's `_esm` and `_css` in its state, so every JobView carried about 22 KB
of code into a saved notebook. Here the code of each front end ("job_view", ...) lives in one
hidden `FrontEnd` widget per kernel, and each widget's `_esm` is a ~1 KB loader (`js/loader/`)
that finds that widget through the page's widget manager, imports its code once per page and
adds its CSS once per document. A saved notebook keeps the code once: nbclient saves the state of
every open widget, JupyterLab every model its manager holds, and ipywidgets' embedding follows
the `_front_end` reference.

In marimo each widget carries its whole code, as anywidget does: marimo saves no widget state,
so there is nothing to save there, and its pages need not find one widget from another.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from typing import Any

import ipywidgets
import traitlets

_STATIC = Path(__file__).parent.parent / "static"

NOT_BUILT_ESM = (
    "export default { render({ el }) { el.textContent = "
    "'The productai-notebook front end is not built: "
    "run `npm run build`, or pip install the package.'; } };\n"
)


def built_source(name: str, fallback: str) -> str:
    """The built front-end file's text (`static/<name>`), or `fallback` when the JS is not built."""
    path = _STATIC / name
    return path.read_text(encoding="utf-8") if path.is_file() else fallback


class FrontEnd(ipywidgets.Widget):  # type: ignore[misc]
    """The code of one front end, kept once per kernel for every widget drawn with it. No view."""

    name = traitlets.Unicode().tag(sync=True)
    esm = traitlets.Unicode().tag(sync=True)
    css = traitlets.Unicode().tag(sync=True)
    #: names this version of the code: a page imports each version once
    digest = traitlets.Unicode().tag(sync=True)

    def __repr__(self) -> str:  # not its code
        return f"FrontEnd(name={self.name!r}, digest={self.digest!r})"


_shared: dict[str, FrontEnd] = {}


def shared_front_end(name: str) -> FrontEnd:
    """The kernel's open `FrontEnd` for `name`, holding the code as built now."""
    esm, css = built_source(f"{name}.js", NOT_BUILT_ESM), built_source(f"{name}.css", "")
    digest = hashlib.sha256(f"{esm}\0{css}".encode()).hexdigest()[:16]
    holder = _shared.get(name)
    if holder is None or holder.comm is None:  # none yet, or closed (`Widget.close_all()`)
        holder = _shared[name] = FrontEnd(name=name, esm=esm, css=css, digest=digest)
    elif holder.digest != digest:  # rebuilt meanwhile (`npm run dev`): widgets made from now on use it
        with holder.hold_sync():
            holder.esm, holder.css, holder.digest = esm, css, digest
    return holder


def _reference_to_json(holder: FrontEnd | None, widget: Any) -> str | None:
    """The `_front_end` reference a widget's state sends: always to an open FrontEnd.

    Closing the FrontEnd (`Widget.close_all()`, or by hand) must not break the widgets that still
    refer to it: their next state points the page at the kernel's open one, made anew if need be.
    """
    if holder is None:
        return None
    if holder.comm is None:
        holder = shared_front_end(holder.name)
    return f"IPY_MODEL_{holder.model_id}"


#: how a widget's `_front_end` trait is sent: as ipywidgets refers to another widget
front_end_serialization = {
    "to_json": _reference_to_json,
    "from_json": ipywidgets.widget_serialization["from_json"],
}


def front_end_traits(name: str) -> dict[str, Any]:
    """A new widget's `_esm`, `_css` and `_front_end`: the loader and the shared code, or its own copy."""
    loader = built_source("loader.js", "")
    if loader and not _in_marimo():
        return {"_esm": loader, "_css": "", "_front_end": shared_front_end(name)}
    # (not built: every widget says so itself)
    return {"_esm": built_source(f"{name}.js", NOT_BUILT_ESM), "_css": built_source(f"{name}.css", ""),
            "_front_end": None}


def _in_marimo() -> bool:
    marimo = sys.modules.get("marimo")  # imported by marimo's kernel; never imported here
    return marimo is not None and bool(marimo.running_in_notebook())
