"""Read-only views for tests and demos under /_emulator/, answered to loopback clients only."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...contract import ERROR_FORBIDDEN
from .. import inputs
from ..endpoint import settings_of
from ..errors import error_response


async def webhooks(request: Request) -> Response:
    if request.client is None or not inputs.is_loopback_host(request.client.host):
        return error_response(403, ERROR_FORBIDDEN, "The admin view answers loopback clients only")
    return JSONResponse({"deliveries": settings_of(request).store.webhook_deliveries()})
