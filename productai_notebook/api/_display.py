"""How the API's objects (a job, a batch) show themselves as a cell's result: through the view the
notebook layer registers for their kind, else as text. `api/` never imports the notebook layer."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, ClassVar

log = logging.getLogger("productai_notebook.api")

#: `hook(thing)` -> its view: an object with `_repr_mimebundle_` and, for IPython, `_ipython_display_`
DisplayHook = Callable[[Any], Any]
_hooks: dict[str, DisplayHook | None] = {}


def set_hook(kind: str, hook: DisplayHook | None) -> None:
    """Register how things of `kind` ("job", "batch") show themselves; None: as text."""
    _hooks[kind] = hook


class Shown:
    """Shows itself through the view its kind's hook makes, else as its repr."""

    _shown_as: ClassVar[str]

    def _view(self) -> Any:
        """The notebook layer's view of this, or None (no notebook layer, or it failed)."""
        hook = _hooks.get(self._shown_as)
        if hook is None:
            return None
        try:
            return hook(self)
        except Exception:
            log.debug("the %s display hook failed; showing text", self._shown_as, exc_info=True)
            return None

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        view = self._view()
        if view is not None:
            return view._repr_mimebundle_(include=include, exclude=exclude)
        return {"text/plain": repr(self)}

    def _ipython_display_(self) -> None:
        # IPython lets the view show itself: it keeps that output current after the job ends
        view = self._view()
        if view is not None and hasattr(view, "_ipython_display_"):
            view._ipython_display_()
        else:
            print(repr(self))
