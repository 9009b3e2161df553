"""`client.assets`: what an upload and the listing send and get back, for both clients.

The clients' `Assets` (`_sync/assets.py`, generated) and `AsyncAssets` (`_async/assets.py`) send them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...contract import MAX_LIST_LIMIT
from .._http import RequestSpec
from .._inputs import upload_file
from ..errors import InvalidResponseError
from ..models import Asset


def upload_spec(source: Any, name: str | None, tags: Iterable[str]) -> RequestSpec:
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


def list_spec(offset: int) -> RequestSpec:
    return RequestSpec("GET", "my-uploaded-assets", params={"limit": MAX_LIST_LIMIT, "offset": offset})


def parse_assets(body: Any) -> tuple[list[Asset], bool]:
    """One page of the listing, and whether more follow (`has_more`; a bare list is the whole of it)."""
    # the listing's shape is undocumented: accept a bare list or {"assets": [...]}
    items = body.get("assets") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise InvalidResponseError(
            "The API answered the asset list with neither a list nor {'assets': [...]}."
        )
    more = isinstance(body, dict) and body.get("has_more") is True
    return [Asset.parse(item) for item in items], more
