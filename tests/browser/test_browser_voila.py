"""Voila loads the installed JupyterLab extensions too, productai-notebook's among them, but shares
fewer modules than JupyterLab (no widget manager extension): the page shows the widgets and the
console holds no error or warning of ours."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from lab_harness import (
    SERVER_START_SECONDS,
    WIDGET_MS,
    free_port,
    jupyter_dirs,
    new_page,
    server_env,
    stop_server,
    tail,
)
from playwright.sync_api import Browser, expect

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

# ours: a message naming the package, or with a stack through its scripts (labextensions/productai-notebook/,
# the widgets' static/). (Voila 0.5 with Notebook 7.6 installed logs "The getter for the shared module is not
# a function" from @jupyter-notebook/lab-extension: not ours.)
OURS = ("productai",)


def _wait_for_port(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    """Until Voila listens (a GET would run the notebook: only the page's own visit should)."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"Voila exited with {server.returncode}:\n{tail(log)}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.25)  # polling a port: there is no event to await
    raise TimeoutError(f"Voila did not listen on {port} after {SERVER_START_SECONDS}s:\n{tail(log)}")


def test_a_voila_app_shows_the_job_and_logs_nothing_of_ours(browser: Browser) -> None:
    pytest.importorskip("voila")
    with tempfile.TemporaryDirectory(prefix="pai-voila-") as tmp:
        home = Path(tmp)
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [
            nbformat.v4.new_code_cell(
                "import productai_notebook as pai\n"
                "from productai_notebook.emulator import Emulator\n"
                "emulator = Emulator(job_seconds=(0.3, 0.6)).start()\n"
                "client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)\n"
                "job = client.generate(model='nanobanana2', image_url='https://example.com/a.png',\n"
                "                      prompt='a', num_images=2)\n"
                "job"
            )
        ]
        nbformat.write(notebook, home / "app.ipynb")
        env = server_env(**jupyter_dirs(home))
        port = free_port()
        log = home / "voila.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "voila", "app.ipynb", "--no-browser", f"--port={port}",
                 "--Voila.ip=127.0.0.1", "--ServerApp.allow_root=True"],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=home,
            )  # fmt: skip
        page = None
        try:
            _wait_for_port(port, server, log)
            page = new_page(browser)
            messages: list[str] = []
            page.on(
                "console",
                lambda m: messages.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None,
            )
            page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
            page.goto(f"http://127.0.0.1:{port}/", timeout=WIDGET_MS)
            job = page.locator(".jp-OutputArea-output .pai-job:not(.pai-static)")
            expect(job).to_have_attribute("data-status", "completed", timeout=WIDGET_MS)
            expect(job.locator(".pai-thumb img")).to_have_count(2, timeout=WIDGET_MS)
            page.wait_for_timeout(1000)  # lets late console messages arrive
            ours = [m for m in messages if any(word in m.lower() for word in OURS)]
            assert ours == [], "\n\n".join(messages)
        finally:
            if page is not None:
                page.close()
            stop_server(server)
