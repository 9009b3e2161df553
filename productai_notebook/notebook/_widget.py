"""What JobView, JobsTable and Gallery share: their built front end, live updates, requests from the browser.

A widget class names its front end (`class JobView(Widget, front_end="job_view")`), keeps the
browser up to date through `LiveUpdates`, and answers the browser's requests (custom messages
`{"type": ...}`) by declaring handlers in `_requests()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget

from ._resend import changed_in_background, install_cell_hook
from ._throttle import Throttle

UPDATE_INTERVAL_SECONDS = 0.25  # at most ~4 widget updates a second
_STATIC = Path(__file__).parent.parent / "static"

NOT_BUILT_ESM = (
    "export default { render({ el }) { el.textContent = "
    "'The productai-notebook front end is not built: "
    "run `npm run build`, or pip install the package.'; } };\n"
)

#: a browser request's handler: `handle(content, buffers)`
RequestHandler = Callable[[Mapping[str, Any], list[bytes]], None]


def built_file(name: str, fallback: str) -> Path | str:
    """The built front-end file, or `fallback` source when the JS has not been built yet."""
    path = _STATIC / name
    return path if path.is_file() else fallback


class Widget(anywidget.AnyWidget):  # type: ignore[misc]
    """An anywidget whose front end is `static/<front_end>.js` and `.css`, built from `js/<front_end>/`."""

    def __init_subclass__(cls, *, front_end: str | None = None, **kwargs: Any) -> None:
        if front_end is not None:  # set before anywidget's own hook, which reads them
            cls._esm = built_file(f"{front_end}.js", NOT_BUILT_ESM)
            cls._css = built_file(f"{front_end}.css", "")
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_msg(self._on_request)
        install_cell_hook()

    def _requests(self) -> Mapping[str, RequestHandler]:
        """What the browser may ask of this widget: message type -> handler."""
        return {}

    def _on_request(self, _widget: Any, content: Any, buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        handler = self._requests().get(kind) if isinstance(kind, str) else None
        if handler is not None:
            handler(content, list(buffers or ()))


class LiveUpdates:
    """A widget's live updates: at most ~4 a second, coalesced to the latest; a final state at once.

    `show_latest()` sets the widget's traits from its jobs' latest states. A final state (a job
    ended) is shown at once and again from the next cell, so a headless run saves it too.
    """

    def __init__(self, widget: Widget, show_latest: Callable[[], None]) -> None:
        self._widget = widget
        self._show_latest = show_latest
        self._throttle = Throttle[None](lambda _: self._show(), UPDATE_INTERVAL_SECONDS)

    def changed(self, *, final: bool = False) -> None:
        """Something changed; `final` when a job ended (the state a saved notebook must keep)."""
        if final:
            # Marked before it shows, so whoever sees it can count on the next cell's re-send.
            changed_in_background(self._widget, self._show_latest)
        self._throttle.submit(None)
        if final:
            self._throttle.flush()

    def close(self) -> None:
        """Nothing more is shown (the widget is closing)."""
        self._throttle.close()

    def _show(self) -> None:
        if self._widget.comm is not None:  # else closed meanwhile
            self._show_latest()
