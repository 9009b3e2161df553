"""Re-send, from within the next cell, widgets that changed in the background since the last one.

Headless runs (nbclient) keep only the messages of the cell that is running; a widget whose
job ended after its cell finished would otherwise be saved as it last was while a cell ran.
So a widget calls `install_cell_hook()` when it is made and `changed_in_background(...)` as it
reaches a state worth keeping; IPython's `post_run_cell` hook, which still runs inside the cell,
then brings it up to date and sends its whole state again.

Kernel messages sent from a background thread carry the cell that started the thread (ipykernel
7), not the one running: `send_with_running_cell(send)` tags what `send` displays with the cell
running now, and says whether one was (else only the next cell can have it recorded).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from typing import Any

import ipywidgets

# Held until the next cell only: ipywidgets keeps every open widget alive anyway.
_changed: dict[ipywidgets.Widget, Callable[[], None]] = {}
_lock = threading.Lock()  # widgets register from the tracker's thread, the hook drains on the kernel's
_hooked_shells: weakref.WeakSet[Any] = weakref.WeakSet()
# The request of the cell running now (None between cells): IPython's pre_run_cell sets it,
# post_run_cell clears it.
_running_cell: dict[str, Any] | None = None


def send_with_running_cell(send: Callable[[], None]) -> bool:
    """Call `send()` so that what it displays belongs to the cell running now; False if none runs.

    True means the messages went out while that cell ran, so nbclient records them too.
    """
    parent = _running_cell
    publisher = _display_publisher()
    if parent is None or publisher is None or not hasattr(publisher, "set_thread_parent"):
        send()
        return False
    token = publisher.set_thread_parent(parent)
    try:
        send()
    finally:
        publisher.reset_thread_parent(token)
    return _running_cell is parent  # read after sending: that cell had not ended yet


def _display_publisher() -> Any:
    from IPython import get_ipython

    shell = get_ipython()
    return getattr(shell, "display_pub", None)


def changed_in_background(widget: ipywidgets.Widget, show_latest: Callable[[], None]) -> None:
    """Have the next cell send `widget`'s state again (once, however often it changed meanwhile).

    `show_latest()` sets the widget's traits from its jobs' latest states; the hook calls it first,
    so the state sent is the newest even when a throttled update is still on its way.
    """
    with _lock:
        _changed[widget] = show_latest


def sent_again(widget: ipywidgets.Widget) -> None:
    """`widget` has just been brought up to date: what marked it meanwhile needs no second send."""
    with _lock:
        _changed.pop(widget, None)


def resend_changed(*_: Any) -> None:
    """Send the state of every widget that changed since the last call (IPython's post_run_cell)."""
    global _running_cell
    try:
        _resend()
    finally:
        _running_cell = None


def _resend() -> None:
    with _lock:
        changed = list(_changed.items())
        _changed.clear()
    for widget, show_latest in changed:
        if widget.comm is not None:  # closed meanwhile: nothing to keep
            show_latest()
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
    shell.events.register("pre_run_cell", _note_cell_start)
    shell.events.register("post_run_cell", resend_changed)
    _hooked_shells.add(shell)
    _note_cell_start()  # widgets are made by a running cell


def _note_cell_start(*_: Any) -> None:
    global _running_cell
    # on the kernel's thread, inside the cell: the display publisher knows its request
    _running_cell = getattr(_display_publisher(), "parent_header", None) or None
