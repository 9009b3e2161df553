"""What JobView, JobsTable and Gallery share: their built front end, live updates, requests from the browser.

A widget class names its front end (`class JobView(Widget, front_end="job_view")`, its code sent
to the browser once per kernel: `_front_end.py`), keeps the browser up to date through
`LiveUpdates`, and answers the browser's requests (custom messages `{"type": ...}`) by declaring
handlers in `_requests()`.

IPython shows a widget with a display id, so once the widget has settled (its jobs ended) its
output is replaced by one whose static HTML shows the final state: the HTML a saved notebook
keeps for viewers without widgets (GitHub, nbviewer, nbconvert).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import anywidget
import traitlets

from ._collected import close_later, start_closer
from ._front_end import FrontEnd, front_end_serialization, front_end_traits
from ._resend import changed_in_background, install_cell_hook, send_with_running_cell, sent_again
from ._throttle import Throttle

UPDATE_INTERVAL_SECONDS = 0.25  # at most ~4 widget updates a second
# How long the cell after a job's end waits for its thumbnails, so a headless run records them.
FINISHING_SECONDS = 5.0
# How long showing a widget waits for thumbnails already being made: shown with them, not redrawn.
SHOWING_SECONDS = 3.0
#: a browser request's handler: `handle(content, buffers)`
RequestHandler = Callable[[Mapping[str, Any], list[bytes]], None]


class Widget(anywidget.AnyWidget):  # type: ignore[misc]
    """An anywidget whose front end is `static/<front_end>.js` and `.css`, built from `js/<front_end>/`."""

    # the loader of the code `_front_end` holds once per kernel; or the whole code (marimo)
    _esm = traitlets.Unicode().tag(sync=True)
    _css = traitlets.Unicode().tag(sync=True)
    _front_end = traitlets.Instance(FrontEnd, allow_none=True).tag(sync=True, **front_end_serialization)
    _front_end_name: ClassVar[str]
    _live: LiveUpdates  # made by each widget, with what it shows
    #: its page keeps the user's place (focus, lightbox) when its output is drawn again (the board):
    #: a change after it settled (a pick) reaches the saved copy's HTML from the next cell
    _redraw_keeps_place: ClassVar[bool] = False

    def __init_subclass__(cls, *, front_end: str | None = None, **kwargs: Any) -> None:
        if front_end is not None:
            cls._front_end_name = front_end
        super().__init_subclass__(**kwargs)

    def __init__(self, **kwargs: Any) -> None:
        self._displayed = False
        self._shown_html: str | None = None  # the static HTML its outputs show
        self._shown_final = False  # and whether they show its final state (see `_shows_final`)
        # a browser drew it (its view said so): display updates reach that page by their id
        self._drawn_by_browser = False
        self._closed = False
        super().__init__(**front_end_traits(self._front_end_name), **kwargs)
        self.on_msg(self._on_request)
        install_cell_hook()
        start_closer()

    def close(self) -> None:
        super().close()
        self._closed = True  # (each widget's own close runs first, then calls this)

    def __del__(self) -> None:
        # not ipywidgets' `self.close()` here: see `_collected`
        if not getattr(self, "_closed", True):  # (True: collected before __init__ got this far)
            close_later(self)

    def _settled(self) -> bool:
        """True once nothing shown will change any more (every job ended): the output is final."""
        return True

    def _shows_final(self) -> bool:
        """True once its traits hold a state that later changes only add to (a JobView's ended job)."""
        return False

    def _finish(self, timeout: float) -> None:
        """Wait, at most `timeout` seconds, for work that ends in a final state (thumbnails)."""

    def _ipython_display_(self) -> None:
        from IPython.display import display

        self._finish(SHOWING_SECONDS)
        self._live.show_now()
        final = self._shows_final()  # read before the bundle is made: it shows at least this
        data, metadata = self._bundle()
        display(data, metadata=metadata, raw=True, display_id=self._display_id)
        self._displayed = True
        self._shown_html = data.get("text/html")
        self._shown_final = final
        self._live.output_recorded()

    def _update_output(self, *, again: bool = False, redraw: bool = False) -> None:
        """Replace every output showing this widget by its current one (if IPython showed it).

        Skipped when its HTML would not change (a page redraws the widget for each update), unless
        `again`: sent once more for a recorder that missed the last one. Skipped too once a page
        that draws the widget has its final state: a redraw there would close what its user opened
        (a lightbox) for what the view already shows from its state (thumbnails made late), unless
        `redraw`: that page keeps its user's place (`_redraw_keeps_place`).
        """
        if not self._displayed or self.comm is None:
            return
        if self._drawn_by_browser and self._shown_final and not again and not redraw:
            return
        from IPython.display import update_display

        final = self._shows_final()
        data, metadata = self._bundle()
        if data.get("text/html") == self._shown_html and not again:
            return
        update_display(data, metadata=metadata, raw=True, display_id=self._display_id)
        self._shown_html = data.get("text/html")
        self._shown_final = final

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
    """A widget's live updates: one per `interval` at most (~4 a second), coalesced; a final state at once.

    `show_latest()` sets the widget's traits from its jobs' latest states. A final state (a job
    ended, thumbnails made) is shown at once and again from the next cell, so a headless run saves
    it too; once the widget has settled its output is brought up to date, again from the next
    cell when it was sent while no cell ran (nbclient would not record it).
    """

    def __init__(
        self, widget: Widget, show_latest: Callable[[], None], *, interval: float = UPDATE_INTERVAL_SECONDS
    ) -> None:
        self._widget = widget
        self._show_latest = show_latest
        self._throttle = Throttle[None](lambda _: self._show(), interval)
        self._output_recorded = True

    def changed(self, *, final: bool = False) -> None:
        """Something changed; `final` when it is what a saved notebook must keep (a job ended)."""
        if not final:
            self._throttle.submit(None)
            return
        self._output_recorded = False
        # Marked before it shows, so whoever sees it can count on the next cell's re-send.
        changed_in_background(self._widget, self._resend)
        # Its traits are set, then its output updated, then the traits sent: a page redraws the
        # output while it still shows the last state, and the final one arrives in the new view.
        with self._widget.hold_sync():
            self.show_now()
            self._update_output()

    def show_now(self) -> None:
        """Show the latest state at once (what a throttled update still waits to show included)."""
        self._throttle.submit(None)
        self._throttle.flush()

    def output_recorded(self) -> None:
        """The widget's output was just shown, in a running cell: a recorder has its latest."""
        self._output_recorded = True

    def close(self) -> None:
        """Nothing more is shown (the widget is closing)."""
        self._throttle.close()

    def _show(self) -> None:
        if self._widget.comm is not None:  # else closed meanwhile
            self._show_latest()

    def _update_output(self, *, again: bool = False, redraw: bool = False) -> None:
        if self._widget._settled():
            self._output_recorded = send_with_running_cell(lambda: self._widget._update_output(again=again))

    def _resend(self) -> None:
        # the next cell may be the last: what is still being made must make it into this one
        self._widget._finish(FINISHING_SECONDS)
        sent_again(self._widget)  # (its thumbnails marked it again while being waited for)
        self._show()
        # a page that draws the widget has its output already: drawing it again would only flicker
        if not self._output_recorded and not self._widget._drawn_by_browser:
            self._update_output(again=True)
        elif self._widget._drawn_by_browser and self._widget._redraw_keeps_place and self._widget._settled():
            # what changed after it settled (a pick) is in its state, not yet in the saved copy's
            # HTML: updated now, from the cell the user ran, if it changed (its page keeps their place)
            self._output_recorded = send_with_running_cell(lambda: self._widget._update_output(redraw=True))
