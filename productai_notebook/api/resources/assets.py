"""`client.assets`: upload input images and list them, blocking (`Assets`) and awaited (`AsyncAssets`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ...contract import MAX_LIST_LIMIT
from .._http import RequestSpec
from .._inputs import checked_in_the_call, upload_file
from ..errors import InvalidResponseError
from ..models import Asset

if TYPE_CHECKING:
    from ..client import AsyncProductAI, ProductAI


class Assets:
    """`client.assets`: upload input images and list them."""

    def __init__(self, client: ProductAI) -> None:
        self._client = client

    def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        """Upload an image (a path, bytes, a binary file, a PIL image, or an http(s) URL string)."""
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
            spec = _upload_spec(source, name, tags)
        return Asset.parse(self._client._call(spec))

    def list(self) -> builtins.list[Asset]:
        """Your uploaded images, every page of them."""
        assets: builtins.list[Asset] = []
        while True:
            page, more = _parse_assets(self._client._call(_list_spec(len(assets))))
            assets += page
            if not (more and page):
                return assets


def _upload_spec(source: Any, name: str | None, tags: Iterable[str]) -> RequestSpec:
    tags = list(tags)
    if isinstance(source, str) and source.startswith(("http://", "https://")):
        body: dict[str, Any] = {"url": source, "tags": tags}
        if name:
            body["name"] = name
        return RequestSpec("POST", "training-asset", json=body, creates=True)
    filename, content, mime = upload_file(source)
    data: dict[str, Any] = {"tags[]": tags}
    if name:
        data["name"] = name
    return RequestSpec(
        "POST", "training-asset", data=data, files={"file": (filename, content, mime)}, creates=True
    )


def _list_spec(offset: int) -> RequestSpec:
    return RequestSpec("GET", "my-uploaded-assets", params={"limit": MAX_LIST_LIMIT, "offset": offset})


def _parse_assets(body: Any) -> tuple[list[Asset], bool]:
    """One page of the listing, and whether more follow (`has_more`; a bare list is the whole of it)."""
    # the listing's shape is undocumented: accept a bare list or {"assets": [...]}
    items = body.get("assets") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InvalidResponseError(
            "The API answered the asset list with neither a list nor {'assets': [...]}."
        )
    more = isinstance(body, dict) and body.get("has_more") is True
    return [Asset.parse(item) for item in items], more


class AsyncAssets:
    """`client.assets` of the async client."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
            spec = _upload_spec(source, name, tags)
        return Asset.parse(await self._client._call(spec))

    async def list(self) -> builtins.list[Asset]:
        assets: builtins.list[Asset] = []
        while True:
            page, more = _parse_assets(await self._client._call(_list_spec(len(assets))))
            assets += page
            if not (more and page):
                return assets
