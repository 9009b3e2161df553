"""`POST /v1/training-asset` (a multipart file or a JSON url) and `GET /v1/my-uploaded-assets`."""

from __future__ import annotations

import secrets
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ...contract import MAX_UPLOAD_BYTES
from .. import inputs, validation, views
from ..endpoint import read_body, settings_of
from ..errors import invalid
from ..store import Account, AssetRecord


async def upload_asset(request: Request, account: Account) -> tuple[int, Any]:
    settings = settings_of(request)
    body = await read_body(request)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        field = "file"
        data, name, tags = await _multipart_asset(request)
    else:
        field = "url"
        data, name, tags = await run_in_threadpool(_url_asset, validation.json_object(body))
    if len(data) > MAX_UPLOAD_BYTES:
        raise invalid(field, "is larger than 10 MB")
    try:
        checked = await run_in_threadpool(inputs.check_image, data)
    except inputs.RefusedImage as refused:
        raise invalid(field, str(refused)) from None
    asset = AssetRecord(
        asset_id="asset_" + secrets.token_urlsafe(9),
        user_id=account.user_id,
        name=name,
        format=checked.format,
        width=checked.width,
        height=checked.height,
        file_size=len(data),
        tags=tags,
        created_at=time.time(),
    )
    settings.store.add_asset(asset, data)
    return 201, views.asset_view(asset, settings.origin())


async def list_assets(request: Request, account: Account) -> tuple[int, Any]:
    settings = settings_of(request)
    page = validation.page(request.query_params, with_status=False)
    assets, total = settings.store.list_assets(account.user_id, page.limit, page.offset)
    return 200, {
        "assets": [views.asset_view(a, settings.origin()) for a in assets],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
        "has_more": page.offset + len(assets) < total,
    }


async def _multipart_asset(request: Request) -> tuple[bytes, str, list[str]]:
    try:
        form = await request.form(max_files=1, max_fields=50)
    except Exception as exc:  # python-multipart raises several types for a malformed body
        raise invalid("body", f"is not a valid multipart form ({type(exc).__name__})") from None
    upload = form.get("file")
    try:
        if upload is None or isinstance(upload, str):
            raise invalid("file", "is required: the image to upload, as a multipart file field")
        data = await upload.read()
    finally:
        await form.close()  # the uploads' temporary files
    name = form.get("name")
    name = name if isinstance(name, str) and name else (upload.filename or "upload")
    tags = [t for t in (*form.getlist("tags[]"), *form.getlist("tags")) if isinstance(t, str)]
    return data, validation.text("name", name), [validation.text("tags", t) for t in tags]


def _url_asset(data: dict[str, Any]) -> tuple[bytes, str, list[str]]:
    url = validation.http_url(data, "url", allow_data=True)
    if url is None:
        raise invalid("url", "is required (or send a multipart file)")
    if url.startswith("data:"):
        content = inputs.decode_data_url(url)
        if content is None:
            raise invalid("url", "is not a readable data: URL")
    elif inputs.is_loopback(url):
        try:
            content = inputs.read_loopback(url)
        except inputs.UnreadableURL as unreadable:
            raise invalid("url", f"{unreadable} (the image must be served at it)") from None
    else:
        raise invalid("url", "the emulator reads only data: and loopback URLs; upload the file instead")
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise invalid("tags", "must be a list of strings")
    name = data.get("name")
    return content, name if isinstance(name, str) and name else "upload", tags
