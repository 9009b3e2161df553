"""The HTTP face of the emulator: the ProductAI v1 routes, the generated files and an admin view."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..contract import ERROR_INTERNAL, ERROR_NOT_FOUND
from .endpoint import Settings, api
from .errors import error_response
from .routes import account, admin, assets, files, jobs

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
    """The app for one Emulator: its routes read `settings` (and its image cache) from the app's state."""
    app = Starlette(routes=ROUTES, exception_handlers={HTTPException: _not_found, Exception: _server_error})
    app.state.settings = settings
    app.state.images = files.ImageCache()
    return app


async def _not_found(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 404
    if status == 405:
        return error_response(405, "method_not_allowed", f"{request.method} is not allowed here")
    return error_response(404, ERROR_NOT_FOUND, "No such endpoint")


async def _server_error(request: Request, exc: Exception) -> Response:
    # Never a traceback on the wire: the error tree of the client expects this shape.
    return error_response(500, ERROR_INTERNAL, "The emulator failed to handle this request")
