"""What JobView, JobsTable and Gallery share: their built front end, live updates, requests from the browser.

A widget class names its front end (`class JobView(Widget, front_end="job_view")`), keeps the
browser up to date through `LiveUpdates`, and answers the browser's requests (custom messages
`{"type": ...}`) by declaring handlers in `_requests()`.

IPython shows a widget with a display id, so once the widget has settled (its jobs ended) its
output is replaced by one whose static HTML shows the final state: the HTML a saved notebook
keeps for viewers without widgets (GitHub, nbviewer, nbconvert).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import anywidget

from ._resend import changed_in_background, install_cell_hook, send_with_running_cell, sent_again
from ._throttle import Throttle

UPDATE_INTERVAL_SECONDS = 0.25  # at most ~4 widget updates a second
# How long the cell after a job's end waits for its thumbnails, so a headless run records them.
FINISHING_SECONDS = 5.0
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
        self._displayed = False
        # a browser drew it (its view said so): display updates reach that page by their id
        self._drawn_by_browser = False
        super().__init__(**kwargs)
        self.on_msg(self._on_request)
        install_cell_hook()

    def _settled(self) -> bool:
        """True once nothing shown will change any more (every job ended): the output is final."""
        return True

    def _finish(self, timeout: float) -> None:
        """Wait, at most `timeout` seconds, for work that ends in a final state (thumbnails)."""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        data, metadata = self._bundle()
        display(data, metadata=metadata, raw=True, display_id=self._display_id)
        self._displayed = True

    def _update_output(self) -> None:
        """Replace every output showing this widget by its current one (if IPython showed it)."""
        if not self._displayed or self.comm is None:
            return
        from IPython.display import update_display

        data, metadata = self._bundle()
        update_display(data, metadata=metadata, raw=True, display_id=self._display_id)

    @property
    def _display_id(self) -> str:
        return f"productai-{self.model_id}"

    def _bundle(self) -> tuple[dict[str, Any], dict[str, Any]]:
        bundle = self._repr_mimebundle_()
        return bundle if isinstance(bundle, tuple) else (bundle, {})

    def _requests(self) -> Mapping[str, RequestHandler]:
        """What the browser may ask of this widget: message type -> handler."""
        return {}

    def _on_request(self, _widget: Any, content: Any, buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "shown":
            self._drawn_by_browser = True
            return
        handler = self._requests().get(kind) if isinstance(kind, str) else None
        if handler is not None:
            handler(content, list(buffers or ()))


class LiveUpdates:
    """A widget's live updates: at most ~4 a second, coalesced to the latest; a final state at once.

    `show_latest()` sets the widget's traits from its jobs' latest states. A final state (a job
    ended, thumbnails made) is shown at once and again from the next cell, so a headless run saves
    it too; once the widget has settled its output is brought up to date, again from the next
    cell when it was sent while no cell ran (nbclient would not record it).
    """

    def __init__(self, widget: Widget, show_latest: Callable[[], None]) -> None:
        self._widget = widget
        self._show_latest = show_latest
        self._throttle = Throttle[None](lambda _: self._show(), UPDATE_INTERVAL_SECONDS)
        self._output_recorded = True

    def changed(self, *, final: bool = False) -> None:
        """Something changed; `final` when it is what a saved notebook must keep (a job ended)."""
        if final:
            self._output_recorded = False
            # Marked before it shows, so whoever sees it can count on the next cell's re-send.
            changed_in_background(self._widget, self._resend)
        self._throttle.submit(None)
        if final:
            self._throttle.flush()
            self._update_output()

    def close(self) -> None:
        """Nothing more is shown (the widget is closing)."""
        self._throttle.close()

    def _show(self) -> None:
        if self._widget.comm is not None:  # else closed meanwhile
            self._show_latest()

    def _update_output(self) -> None:
        if self._widget._settled():
            self._output_recorded = send_with_running_cell(self._widget._update_output)

    def _resend(self) -> None:
        # the next cell may be the last: what is still being made must make it into this one
        self._widget._finish(FINISHING_SECONDS)
        sent_again(self._widget)  # (its thumbnails marked it again while being waited for)
        self._show()
        # a page that draws the widget has its output already: drawing it again would only flicker
        if not self._output_recorded and not self._widget._drawn_by_browser:
            self._update_output()
