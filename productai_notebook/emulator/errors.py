"""API errors: every non-2xx answer is `{"error": {"code": ..., "message": ...}}`."""

from __future__ import annotations

from starlette.responses import JSONResponse

from ..contract import ERROR_INVALID_REQUEST


class ApiError(Exception):
    """Raised anywhere while handling a request; becomes the error answer."""

    def __init__(self, status: int, code: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}

    def response(self) -> JSONResponse:
        return error_response(self.status, self.code, self.message, self.headers)


def invalid(field: str, problem: str) -> ApiError:
    """A 400 whose message starts with the field at fault."""
    return ApiError(400, ERROR_INVALID_REQUEST, f"{field}: {problem}")


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)
