"""The HTTP face of the emulator: the ProductAI v1 routes, the generated files and an admin view."""

from __future__ import annotations

import logging

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..contract import ERROR_INTERNAL, ERROR_NOT_FOUND
from .endpoint import DroppedConnection, Settings, api
from .errors import ApiError, error_response
from .routes import account, admin, assets, files, jobs

logger = logging.getLogger(__name__)

ROUTES = [
    Route("/v1/generate", api(jobs.generate), methods=["POST"]),
    Route("/v1/jobs", api(jobs.list_jobs), methods=["GET"]),
    Route("/v1/jobs/{job_id}", api(jobs.get_job), methods=["GET"]),
    Route("/v1/me", api(account.me), methods=["GET"]),
    Route("/v1/training-asset", api(assets.upload_asset), methods=["POST"]),
    Route("/v1/my-uploaded-assets", api(assets.list_assets), methods=["GET"]),
    Route("/files/assets/{asset_id}", files.asset_file, methods=["GET"]),
    Route("/files/assets/{asset_id}/thumbnail.jpg", files.asset_file, methods=["GET"]),
    Route("/files/{job_id}/{name}", files.job_image, methods=["GET"]),
    Route("/_emulator/webhooks", admin.webhooks, methods=["GET"]),
]


def create_app(settings: Settings) -> Starlette:
    """The app for one Emulator: its routes read `settings` (and its caches) from the app's state."""
    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(_ContainFailures)],
        exception_handlers={HTTPException: _not_found, ApiError: _api_error},
    )
    app.state.settings = settings
    app.state.images = files.Cache(files.IMAGE_CACHE_SIZE)
    app.state.products = files.Cache(files.PRODUCT_CACHE_SIZE)
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if status == 405:
        return error_response(405, "method_not_allowed", f"{request.method} is not allowed here")
    return error_response(404, ERROR_NOT_FOUND, "No such endpoint")


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return exc.response()


class _ContainFailures:
    """A route that fails unexpectedly answers a JSON 500 on a connection that stays open.

    Starlette's own last-resort handler re-raises after answering, and uvicorn then closes the
    keep-alive connection and prints the traceback; here the failure is logged once, as ours.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_and_note(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        except DroppedConnection:
            raise  # the "reset" fault: closing the connection is the point
        except Exception:
            logger.exception("The emulator failed on %s %s", scope.get("method"), scope.get("path"))
            if started:
                raise
            message = "The emulator failed to handle this request"
            await error_response(500, ERROR_INTERNAL, message)(scope, receive, send)
