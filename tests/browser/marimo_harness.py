"""A marimo app under test: `marimo run` on a free loopback port, its home and caches in a temp folder,
opened in a page of the test's browser (`marimo_page`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from lab_harness import free_port, new_page, server_env, stop_server, wait_until_ready
from playwright.sync_api import Browser, Locator, Page


@dataclass(frozen=True)
class MarimoPage:
    page: Page
    widget: Locator  # the first widget of the kind asked for (CSS locators pierce the shadow roots)


@contextmanager
def marimo_page(browser: Browser, notebook: Path | str, widget: str) -> Iterator[MarimoPage]:
    """The app served (`marimo_app`) and opened in a new page; `widget` is the CSS selector of
    the widget under test."""
    with marimo_app(notebook) as url:
        page = new_page(browser)
        try:
            page.goto(url)
            yield MarimoPage(page=page, widget=page.locator(widget).first)
        finally:
            page.close()


@contextmanager
def marimo_app(notebook: Path | str) -> Iterator[str]:
    """Serve a temporary copy of `notebook` (a path, or a marimo app's source) with `marimo run
    --headless` and yield its URL.

    A copy, since marimo keeps session snapshots beside the notebook; HOME and the XDG folders are
    temporary too, so marimo reads and writes no user config. The app runs against the built-in
    emulator, never a real account.
    """
    with tempfile.TemporaryDirectory(prefix="pai-marimo-") as tmp:
        home = Path(tmp)
        if isinstance(notebook, Path):
            app = Path(shutil.copy(notebook, home / notebook.name))
        else:
            app = home / "app.py"
            app.write_text(notebook, encoding="utf-8")
        env = server_env(HOME=home, XDG_CONFIG_HOME=home / "config", XDG_CACHE_HOME=home / "cache",
                         XDG_STATE_HOME=home / "state")
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
            stop_server(server)

