"""What a widget's page sends it, as the kernel receives it: the one way the tests speak for the browser."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def send_from_browser(widget: Any, content: dict[str, Any], buffers: Sequence[bytes] = ()) -> None:
    """What a `model.send(content, callbacks, buffers)` in the front end does in the kernel: the
    widget's message handlers run (ipywidgets' own entry for a message from the page)."""
    widget._handle_custom_msg(content, list(buffers))
