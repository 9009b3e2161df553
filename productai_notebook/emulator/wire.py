"""Below the routes: a request that is not valid HTTP still gets the API's error shape, and what the
emulator does on purpose (a malformed request answered, the 'reset' fault) never prints on stderr."""

from __future__ import annotations

import json
import logging

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from ..contract import ERROR_INVALID_REQUEST
from .endpoint import DroppedConnection

MALFORMED_HTTP = "Invalid HTTP request received."  # what uvicorn logs, as a warning, for each one


class HttpProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, answering a request it cannot parse (a broken request line or
    header, a bad Content-Length) with a JSON 400 instead of plain text. The connection then
    closes: after a framing error nothing more on it can be trusted."""

    def _should_upgrade(self) -> bool:
        # The API is plain HTTP: an Upgrade header (websocket, h2c) is ignored, as HTTP allows,
        # rather than answered by a WebSocket handshake in plain text or warned about on stderr.
        return False

    def send_400_response(self, msg: str) -> None:
        error = {"code": ERROR_INVALID_REQUEST, "message": "request: is not valid HTTP/1.1"}
        body = json.dumps({"error": error}).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        answer = (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=body),
            h11.EndOfMessage(),
        )
        for event in answer:
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()


class _QuietAboutClients(logging.Filter):
    """Drop uvicorn's records of what was answered on purpose: a malformed request (it got its 400)
    and the 'reset' fault's deliberate failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        deliberate = record.exc_info is not None and isinstance(record.exc_info[1], DroppedConnection)
        return not deliberate and record.getMessage() != MALFORMED_HTTP


logging.getLogger("uvicorn.error").addFilter(_QuietAboutClients())
