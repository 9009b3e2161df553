"""An `image_url` on the loopback (a test's server, a local file server) is read: one that answers an
HTTP error or something that is not an image fails the job as the API does; `assets.upload(url)` says
what the URL answered. Other URLs are never fetched (they render the placeholder product)."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from PIL import Image

from productai_notebook.api import BadRequestError, ProductAI
from productai_notebook.emulator import Emulator

from .helpers import api, create_job, wait_for_status

ENDED = ("completed", "failed")


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (255, 0, 255)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def files() -> Iterator[str]:
    """A loopback file server: /bottle.png is an image, /page.html is not, anything else is 404."""
    bodies = {"/bottle.png": ("image/png", _png()), "/page.html": ("text/html", b"<p>not an image</p>")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            kind, body = bodies.get(self.path, ("text/plain", b""))
            self.send_response(200 if self.path in bodies else 404)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("path", ["/missing.png", "/page.html"])
def test_a_loopback_input_missing_or_not_an_image_fails_the_job(emu: Emulator, new_account, files, path):
    with api(emu, new_account()) as http:
        job = wait_for_status(http, create_job(http, image_url=files + path)["job_id"], ENDED)
    assert job["status"] == "failed"
    assert job["error"] == {"code": "generation_failed", "message": "Unable to process the input image"}


def test_a_loopback_input_that_is_an_image_completes(emu: Emulator, new_account, files):
    with api(emu, new_account()) as http:
        job = wait_for_status(http, create_job(http, image_url=files + "/bottle.png")["job_id"], ENDED)
    assert job["status"] == "completed" and len(job["images"]) == 1


def test_a_url_off_the_machine_is_never_fetched_and_completes(emu: Emulator, new_account):
    with api(emu, new_account()) as http:
        job = create_job(http, image_url="https://example.invalid/missing.png")
        assert wait_for_status(http, job["job_id"], ENDED)["status"] == "completed"


def test_uploading_a_url_that_answers_404_says_so(emu: Emulator, new_account, files):
    with ProductAI(api_key=new_account(), base_url=emu.base_url) as client:
        with pytest.raises(BadRequestError, match="url: answered HTTP 404 Not Found"):
            client.assets.upload(files + "/missing.png")
        with pytest.raises(BadRequestError, match="must be a JPEG, PNG or WebP image"):
            client.assets.upload(files + "/page.html")
        assert client.assets.upload(files + "/bottle.png").width == 64
