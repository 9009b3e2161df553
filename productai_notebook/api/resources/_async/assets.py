"""`client.assets`: upload input images and list them (what they send: `..assets`)."""

from __future__ import annotations

import builtins
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..._http import RequestSpec
from ...models import Asset
from ..assets import parse_assets, upload_spec

if TYPE_CHECKING:
    from ...client import AsyncProductAI


class AsyncAssets:
    """`client.assets`: upload input images and list them."""

    def __init__(self, client: AsyncProductAI) -> None:
        self._client = client

    async def upload(self, source: Any, *, name: str | None = None, tags: Iterable[str] = ()) -> Asset:
        """Upload an image (a path, bytes, a binary file, a PIL image, or an http(s) URL string)."""
        return Asset.parse(await self._client._call(upload_spec(source, name, tags)))

    async def list(self) -> builtins.list[Asset]:
        """Your uploaded images."""
        return parse_assets(await self._client._call(RequestSpec("GET", "my-uploaded-assets")))
