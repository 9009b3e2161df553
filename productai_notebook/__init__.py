"""productai-notebook: the ProductAI image generation API in Jupyter.

The client (`ProductAI`, `AsyncProductAI`) works in any Python script; the widgets,
the gallery and the `%productai` magic load only when a notebook asks for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._config import config
from .api import *  # noqa: F403  (the client's public names are ours too)
from .api import __all__ as _api_names
from .api import set_batch_dir_hook, set_batch_display_hook, set_display_hook
from .sandbox import sandbox, use

__version__ = "0.1.0"

# Widgets import ipywidgets; load them on first use so a plain script never pays for it.
_WIDGETS = {
    "JobView": "productai_notebook.notebook.job_view",
    "JobsTable": "productai_notebook.notebook.jobs_table",
    "Gallery": "productai_notebook.notebook.gallery",
    "BatchBoard": "productai_notebook.notebook.board",
    "Studio": "productai_notebook.notebook.studio",
}

__all__ = [
    *_api_names, *_WIDGETS, "config", "sandbox", "use", "load_ipython_extension", "unload_ipython_extension"
]

if TYPE_CHECKING:
    from .notebook.board import BatchBoard as BatchBoard
    from .notebook.gallery import Gallery as Gallery
    from .notebook.job_view import JobView as JobView
    from .notebook.jobs_table import JobsTable as JobsTable
    from .notebook.studio import Studio as Studio


def __getattr__(name: str) -> Any:
    if name in _WIDGETS:
        import importlib

        return getattr(importlib.import_module(_WIDGETS[name]), name)
    raise AttributeError(f"module 'productai_notebook' has no attribute {name!r}")


def _display_job(job: Any) -> Any:
    from .notebook.job_view import JobView

    return JobView.for_job(job)


def _display_batch(batch: Any) -> Any:
    from .notebook.board import BatchBoard

    return BatchBoard(batch)


set_display_hook(_display_job)
set_batch_display_hook(_display_batch)
set_batch_dir_hook(lambda: config.batch_dir)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext productai_notebook`: registers the `%productai` magic."""
    from .notebook.magics import load_ipython_extension as load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """`%unload_ext productai_notebook`: stops the background tracker."""
    from .notebook.magics import unload_ipython_extension as unload

    unload(ipython)
