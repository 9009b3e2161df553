"""`Studio`: a form for a batch (input images, prompts, models, images per job, aspect ratio, its
cost before sending) above the batch's board, in one widget; its values and batch reach Python.

Input images come from the browser (dropped, pasted, picked: their bytes in a custom message),
from Python (`studio.add_input(path_or_bytes)`) or from the account's uploaded assets. Each is
checked here with Pillow before it is uploaded (`api.check_input_image`): a file the API would
refuse never leaves the kernel. Uploads and the batch's creation run on the studio's two worker
threads, so the kernel's message loop never waits on the API.
"""

from __future__ import annotations

import html
import itertools
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import ipywidgets
import traitlets

from ..api import (
    AsyncProductAI,
    BatchInput,
    InvalidArgumentError,
    ProductAI,
    ProductAIError,
    blocking_client,
    check_input_image,
    read_image_source,
)
from ..sandbox import current_client
from ._widget import LiveUpdates, RequestHandler, Widget
from .studio_form import default_form, filled, form_rules, preview_plan, prompt_lines
from .thumbnails import Thumbnails, make_thumbnail

INPUT_THUMBNAIL_EDGE = 192
INPUT_THUMBNAIL_BYTES = 24_000
#: how long `add_input` waits for its file's check and upload
ADD_INPUT_SECONDS = 120.0
NO_CLIENT = "No ProductAI client: pass one, Studio(client), or run %productai sandbox first."

# Uploads, listings and the batch's creation: two at a time for every studio of the kernel.
_pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="productai-studio")
_keys = itertools.count(1)


def problem_of(error: ProductAIError) -> str:
    """An error's text for the form, without the field name an InvalidArgumentError starts with."""
    if isinstance(error, InvalidArgumentError):
        return str(error).removeprefix(f"{error.field}: ")
    return " ".join(str(error).split())


def batch_views(batch: Any, shown: list[Any]) -> list[Any]:
    """What shows `batch` under the form, given what shows it so far: its board, made once.
    (The one place to change how the studio shows a batch.)"""
    from .board import BatchBoard

    return shown or [BatchBoard(batch)]


class Studio(Widget, front_end="studio"):
    """A form that makes a batch, and the batch's board below it.

    `studio.values` gives (and, assigned, fills) the form: `inputs` (the ready images' asset
    ids), `prompts`, `preset_id`, `models`, `num_images`, `aspect_ratio`. `studio.batch` is the
    last batch made (by Generate, or `studio.generate()`), `studio.plan` what the form would cost.
    """

    #: what the form checks and computes with (models and credits, images, ratios, formats, limits)
    rules = traitlets.Dict().tag(sync=True)
    #: the form as the browser shows it: prompts as typed (one per line), preset_id, models, ...
    form = traitlets.Dict().tag(sync=True)
    #: the input images: {key, name, state: sending | ready | refused, reason, asset_id, width, height}
    inputs = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: small JPEGs of the inputs by key, and of the account's assets by asset id
    thumbnails = traitlets.Dict(value_trait=traitlets.Bytes()).tag(sync=True)
    #: the account's uploaded assets (once the browser asked): {asset_id, name, width, height}
    assets = traitlets.List(traitlets.Dict()).tag(sync=True)
    #: "" (not asked), "loading", "loaded", or why they could not be listed
    assets_status = traitlets.Unicode("").tag(sync=True)
    #: {"plan": the plan the preview reckons with, "balance": credits left or None, "problem": why unknown}
    account = traitlets.Dict().tag(sync=True)
    #: a batch is being made
    busy = traitlets.Bool(False).tag(sync=True)
    #: why the last Generate made no batch ("" when it did)
    message = traitlets.Unicode("").tag(sync=True)
    #: what shows the last batch (its board)
    views = traitlets.List(traitlets.Instance(ipywidgets.Widget)).tag(
        sync=True, **ipywidgets.widget_serialization
    )
    #: set by the page when it cannot draw a view inside the studio (marimo draws only what cells show):
    #: a change from the page, so marimo reruns the cells that read the studio, and they show the board
    undrawn = traitlets.Unicode("").tag(sync=True)

    def __init__(self, client: ProductAI | AsyncProductAI | None = None, **values: Any) -> None:
        client = client or current_client()
        if client is None:
            raise InvalidArgumentError("client", NO_CLIENT)
        self._client = blocking_client(client)  # the form's calls run on worker threads
        self._lock = threading.Lock()
        self._batch: Any = None
        self._stop_observing: Callable[[], None] | None = None
        self._live = LiveUpdates(self, self._show_thumbnails)
        self._asset_thumbnails = Thumbnails(on_made=lambda _ready: self._live.changed())
        self._input_thumbnails: dict[str, bytes] = {}
        super().__init__(rules=form_rules(), form=filled(default_form(), values))
        self.read_balance()  # once now, once after each batch: never per keystroke

    # -- what Python reads and fills -------------------------------------------------------

    @property
    def values(self) -> dict[str, Any]:
        form = self.form
        return {
            "inputs": [item["asset_id"] for item in self.inputs if item.get("state") == "ready"],
            "prompts": prompt_lines(form.get("prompts", "")),
            "preset_id": form.get("preset_id") or None,
            "models": list(form.get("models", [])),
            "num_images": form.get("num_images"),
            "aspect_ratio": form.get("aspect_ratio"),
        }

    @values.setter
    def values(self, values: Mapping[str, Any]) -> None:
        inputs = values.get("inputs")
        self.form = filled(self.form, {key: value for key, value in values.items() if key != "inputs"})
        for source in inputs or ():
            self.add_input(source)

    @property
    def batch(self) -> Any:
        """The last batch made here (None before the first)."""
        return self._batch

    @property
    def plan(self) -> Any:
        """What the form would make and cost (`BatchPlan`, no request), against the balance last read."""
        from ..api import plan_batch

        values = self.values
        return plan_batch(
            prompts=values["prompts"], models=values["models"], inputs=values["inputs"],
            num_images=values["num_images"], aspect_ratio=values["aspect_ratio"],
            preset_id=values["preset_id"], plan=self.account.get("plan"), balance=self.account.get("balance"),
        )

    def add_input(self, source: Any, *, name: str | None = None) -> dict[str, Any]:
        """Check an image and upload it as an input (an asset id string is taken as it is).

        Returns its entry in `studio.inputs`: state "ready" with its asset id, or "refused" with
        the reason (nothing was sent then).
        """
        if isinstance(source, str) and source.startswith("asset_"):
            return self._add_asset(source, name or source)
        given_name, data = read_image_source(source)
        key = f"py{next(_keys)}"
        self._start_input(key, name or given_name, data).result(timeout=ADD_INPUT_SECONDS)
        return self._input(key) or {}

    def remove_input(self, key: str) -> None:
        with self._lock:
            self.inputs = [item for item in self.inputs if item["key"] != key]

    def read_balance(self) -> None:
        """Read the account's plan and credits (one request)."""
        try:
            account = self._client.me()
        except ProductAIError as error:
            self.account = {"plan": preview_plan(None), "balance": None, "problem": problem_of(error)}
            return
        self.account = {"plan": preview_plan(account.plan), "balance": account.generations, "problem": ""}

    def generate(self) -> Any:
        """Make the batch the form describes (as Generate does) and show its board; returns the Batch."""
        values = self.values
        sending = [item["name"] for item in self.inputs if item.get("state") == "sending"]
        if sending:
            raise InvalidArgumentError("inputs", f"still uploading: {', '.join(sending)}")
        if not values["inputs"]:
            raise InvalidArgumentError("inputs", "add an input image first (drop, paste, pick or choose one)")
        self.plan  # noqa: B018  (the form's own checks first: no input, no prompt, an unknown model...)
        # (the batch reads the balance itself: too few credits is refused before any create)
        # each input named by its file, as the board's tabs and the export's names show it
        inputs = [BatchInput(item["name"], asset_id=item["asset_id"]) for item in self.inputs
                  if item.get("state") == "ready"]
        batch = self._client.batch(
            prompts=values["prompts"] or None, models=values["models"], inputs=inputs,
            num_images=values["num_images"], aspect_ratio=values["aspect_ratio"],
            preset_id=values["preset_id"], dry_run=False,
        )
        self._show_batch(batch)
        return batch

    # -- the browser's requests ----------------------------------------------------------------

    def _requests(self) -> Mapping[str, RequestHandler]:
        return {
            "upload": self._on_upload,
            "remove": lambda request, _: self.remove_input(str(request.get("key"))),
            "assets": lambda _request, _: _pool.submit(self._list_assets),
            "choose_asset": lambda request, _: self._add_asset(str(request.get("asset_id")), None),
            "generate": lambda _request, _: self._generate_from_browser(),
        }

    def _on_upload(self, request: Mapping[str, Any], buffers: list[bytes]) -> None:
        key, name = str(request.get("key")), str(request.get("name") or "image")
        if self._input(key) is None:  # (a page drawn twice sends nothing twice)
            self._start_input(key, name, bytes(buffers[0]) if buffers else b"")

    def _generate_from_browser(self) -> None:
        if self.busy:
            return
        self.busy, self.message = True, ""

        def run() -> None:
            try:
                self.generate()
            except ProductAIError as error:
                self.message = " ".join(str(error).split())  # with the field it names: "prompts: ..."
            finally:
                self.busy = False

        _pool.submit(run)

    # -- inputs ----------------------------------------------------------------------------------

    def _input(self, key: str) -> dict[str, Any] | None:
        return next((item for item in self.inputs if item["key"] == key), None)

    def _set_input(self, key: str, **changes: Any) -> None:
        with self._lock:
            self.inputs = [{**item, **changes} if item["key"] == key else item for item in self.inputs]

    def _start_input(self, key: str, name: str, data: bytes) -> Future[None]:
        with self._lock:
            self.inputs = [*self.inputs, {"key": key, "name": name, "state": "sending", "reason": ""}]
        return _pool.submit(self._check_and_upload, key, name, data)

    def _check_and_upload(self, key: str, name: str, data: bytes) -> None:
        try:
            checked = check_input_image(data)  # before any request: a refused file is never sent
        except InvalidArgumentError as error:
            self._set_input(key, state="refused", reason=problem_of(error))
            return
        thumbnail = make_thumbnail(data, edge=INPUT_THUMBNAIL_EDGE, max_bytes=INPUT_THUMBNAIL_BYTES)
        if thumbnail is not None:
            with self._lock:
                self._input_thumbnails[key] = thumbnail
            self._live.changed()
        try:
            asset = self._client.assets.upload(data, name=name)
        except ProductAIError as error:
            self._set_input(key, state="refused", reason=problem_of(error))
            return
        self._set_input(
            key, state="ready", asset_id=asset.asset_id, width=checked.width, height=checked.height
        )

    def _add_asset(self, asset_id: str, name: str | None) -> dict[str, Any]:
        listed = next((item for item in self.assets if item["asset_id"] == asset_id), {})
        entry = {
            "key": asset_id, "name": name or listed.get("name") or asset_id, "state": "ready", "reason": "",
            "asset_id": asset_id, "width": listed.get("width"), "height": listed.get("height"),
        }
        with self._lock:
            if all(item["key"] != asset_id for item in self.inputs):
                self.inputs = [*self.inputs, entry]
        return self._input(asset_id) or entry

    def _list_assets(self) -> None:
        self.assets_status = "loading"
        try:
            assets = self._client.assets.list()
        except ProductAIError as error:
            self.assets_status = problem_of(error)
            return
        for asset in assets:
            url = asset.thumbnail_url or asset.url
            if url:
                self._asset_thumbnails.ask(asset.asset_id, url, self._client)
        with self.hold_sync():
            self.assets = [{"asset_id": a.asset_id, "name": a.name or a.asset_id, "width": a.width,
                            "height": a.height} for a in assets if a.status in (None, "ready")]
            self.assets_status = "loaded"

    def _show_thumbnails(self) -> None:
        with self._lock:
            inputs = dict(self._input_thumbnails)
        self.thumbnails = {**self._asset_thumbnails.made(), **inputs}

    # -- the batch -----------------------------------------------------------------------------

    def _show_batch(self, batch: Any) -> None:
        if self._stop_observing is not None:
            self._stop_observing()
        with self._lock:
            old, self.views = self.views, []
            self._batch = batch
        for view in old:
            view.close()
        ended = threading.Event()

        def on_change(changed: Any) -> None:
            with self._lock:
                if changed is not self._batch:
                    return
                views = batch_views(changed, list(self.views))
                if views != list(self.views):
                    self.views = views
            # the balance is read once the batch has ended (on a worker: this may run on the I/O thread)
            if not ended.is_set() and changed.done:
                ended.set()
                _pool.submit(self.read_balance)

        self._stop_observing = batch.observe(on_change)
        on_change(batch)

    def close(self) -> None:
        if self._stop_observing is not None:
            self._stop_observing()
        self._live.close()
        for view in self.views:
            view.close()
        super().close()

    # -- without a kernel ----------------------------------------------------------------------

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["text/plain"] = self._summary()
        # the form as a line, then what shows its batch (the board's own script-free copy)
        shown = [view._repr_mimebundle_()[0].get("text/html", "") for view in self.views]
        summary = html.escape(self._summary())
        data["text/html"] = f'<div class="productai-studio"><p>{summary}</p>{"".join(shown)}</div>'
        return bundle

    def _summary(self) -> str:
        values = self.values
        made = f"; batch {self._batch.name}" if self._batch is not None else ""
        return (f"ProductAI studio: {len(values['inputs'])} input(s), {len(values['prompts'])} prompt(s), "
                f"models {', '.join(values['models']) or 'none'}, {values['num_images']} image(s) per job, "
                f"{values['aspect_ratio']}{made}")

    def __repr__(self) -> str:
        return self._summary()

