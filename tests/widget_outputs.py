"""A widget's outputs as a notebook records them: what `display` shows, then each update of it."""

from __future__ import annotations

from typing import Any

import IPython.display
import pytest


def record_outputs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The HTML of every output shown from now on, then of each update of those outputs, in order.

    Updates of other outputs are left out: a widget of an earlier test on this worker, still alive
    until it is collected, may update its own output meanwhile (a thumbnail made late, say).
    """
    outputs: list[str] = []
    shown_ids: set[object] = set()

    def display(data: dict[str, Any], *_: Any, display_id: object = None, **__: Any) -> None:
        shown_ids.add(display_id)
        outputs.append(data["text/html"])

    def update_display(data: dict[str, Any], *_: Any, display_id: object = None, **__: Any) -> None:
        if display_id in shown_ids:
            outputs.append(data["text/html"])

    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(IPython.display, "update_display", update_display)
    return outputs
