"""Re-send, from within the next cell, widgets that changed in the background since the last one.

Headless runs (nbclient) keep only the messages of the cell that is running; a widget whose
job ended after its cell finished would otherwise be saved as it last was while a cell ran.
So a widget calls `install_cell_hook()` when it is made and `changed_in_background(widget, throttle)`
as it reaches a state worth keeping (before flushing it); IPython's `post_run_cell` hook, which
still runs inside the cell, then delivers anything still pending and sends the whole state again.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

import ipywidgets

from ._throttle import Throttle

# Held until the next cell only: ipywidgets keeps every open widget alive anyway.
_changed: dict[ipywidgets.Widget, Throttle[Any]] = {}
_lock = threading.Lock()  # widgets register from the tracker's thread, the hook drains on the kernel's
_hooked_shells: weakref.WeakSet[Any] = weakref.WeakSet()


def changed_in_background(widget: ipywidgets.Widget, updates: Throttle[Any]) -> None:
    """Have the next cell send `widget`'s state again (once, however often it changed meanwhile).

    `updates` is the widget's throttle: the hook flushes it first, so a change registered here
    but not yet delivered (its thread was interrupted in between) still goes out.
    """
    with _lock:
        _changed[widget] = updates


def resend_changed(*_: Any) -> None:
    """Send the state of every widget that changed since the last call (IPython's post_run_cell)."""
    with _lock:
        changed = list(_changed.items())
        _changed.clear()
    for widget, updates in changed:
        if widget.comm is not None:  # closed meanwhile: nothing to keep
            updates.flush()
            widget.send_state()


def install_cell_hook() -> None:
    """Run `resend_changed` after every cell of this IPython shell (once; called as a widget is made).

    Called on the kernel's thread, not from an observer on the tracker's: the shell's hooks are not
    meant to change under a running cell.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipywidgets depends on IPython
        return
    shell = get_ipython()
    if shell is None or shell in _hooked_shells:
        return
    shell.events.register("post_run_cell", resend_changed)
    _hooked_shells.add(shell)
