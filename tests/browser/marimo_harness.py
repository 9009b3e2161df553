"""A marimo app under test: `marimo run` on a free loopback port, its home and caches in a temp folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from lab_harness import free_port, wait_until_ready


@contextmanager
def marimo_app(notebook: Path) -> Iterator[str]:
    """Serve a temporary copy of `notebook` (`marimo run --headless`) and yield its URL.

    A copy, since marimo keeps session snapshots beside the notebook; HOME and the XDG folders are
    temporary too, so marimo reads and writes no user config. The app runs against the built-in
    emulator, never a real account.
    """
    with tempfile.TemporaryDirectory(prefix="pai-marimo-") as tmp:
        home = Path(tmp)
        app = Path(shutil.copy(notebook, home / notebook.name))
        env = dict(os.environ)
        env.update(
            HOME=str(home),
            XDG_CONFIG_HOME=str(home / "config"),
            XDG_CACHE_HOME=str(home / "cache"),
            XDG_STATE_HOME=str(home / "state"),
        )
        for name in ("PRODUCTAI_API_KEY", "PRODUCTAI_BASE_URL"):
            env.pop(name, None)
        port = free_port()
        log = home / "marimo.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [sys.executable, "-m", "marimo", "run", str(app), "--headless", "--no-token",
                 "--host", "127.0.0.1", "--port", str(port)],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=home,
            )  # fmt: skip
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_ready(url, server, log, what="marimo")
            yield url
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)

