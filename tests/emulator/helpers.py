"""Small helpers for the emulator tests: an authenticated client, jobs and their images, a webhook server."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
from notebook_waits import wait_until
from PIL import Image


def api(emu: Any, key: str | None = None, **kwargs: Any) -> httpx.Client:
    """An httpx client on the emulator's /v1, authenticated as `key` (the default account's by default)."""
    return httpx.Client(
        base_url=emu.base_url + "/",
        headers={"Authorization": f"Bearer {key or emu.api_key}"},
        timeout=kwargs.pop("timeout", 30.0),
        **kwargs,
    )


def magenta_share(jpeg: bytes) -> float:
    """How much of a generated image is the colour of the magenta product the tests upload."""
    image = Image.open(io.BytesIO(jpeg)).convert("RGB").resize((128, 128))
    data = image.tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if r > 200 and g < 60 and b > 200) / (128 * 128)


def create_job(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {
        "model": "nanobanana2",
        "prompt": "a ceramic mug on oak",
        "image_url": "https://example.com/mug.png",
    }
    body.update(fields)
    response = http.post("generate", json=body)
    assert response.status_code == 202, response.text
    return response.json()


def wait_for_status(http: httpx.Client, job_id: str, statuses: tuple[str, ...]) -> dict[str, Any]:
    def current() -> dict[str, Any] | None:
        job = http.get(f"jobs/{job_id}").json()
        return job if job["status"] in statuses else None

    return wait_until(current, f"job {job_id} to become {statuses}")


class WebhookReceiver:
    """A loopback HTTP server that records each POST and answers with the next scripted status."""

    def __init__(self, statuses: list[int] | None = None) -> None:
        self.requests: list[dict[str, Any]] = []
        self._statuses = list(statuses or [])
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.requests.append({"headers": dict(self.headers), "body": body})
                    status = receiver._statuses.pop(0) if receiver._statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/hook"

    def events(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(r["body"]) for r in self.requests]

    @contextmanager
    def running(self) -> Iterator[WebhookReceiver]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()
            thread.join(10)
