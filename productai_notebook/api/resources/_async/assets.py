"""`client.assets`: upload input images and list them (what they send: `..assets`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..._inputs import checked_in_the_call
from ...models import Asset
from ..assets import list_spec, parse_assets, upload_spec

if TYPE_CHECKING:
    from ...client import AsyncProductAI


class AsyncAssets:
    """`client.assets`: upload input images and list them."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        """Upload an image (a path, bytes, a binary file, a PIL image, or an http(s) URL string)."""
        __tracebackhide__ = True  # an argument error's traceback: the user's call, not this frame
        with checked_in_the_call():
            spec = upload_spec(source, name, tags)
        return Asset.parse(await self._client.call(spec))

    async def list(self) -> builtins.list[Asset]:
        """Your uploaded images, every page of them."""
        assets: builtins.list[Asset] = []
        while True:
            page, more = parse_assets(await self._client.call(list_spec(len(assets))))
            assets += page
            if not (more and page):
                return assets
