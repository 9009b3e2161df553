"""JupyterLab and Debian's Chromium under test: start, drive, stop.

Plain context managers and functions, so the pytest fixtures and the README screenshot script
share them. Every wait has a deadline sized for a loaded 2-core machine.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
from playwright.sync_api import Browser, ConsoleMessage, Locator, Page, WebSocket

CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium tries outside hosts and is refused.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

SERVER_START_SECONDS = 90
NOTEBOOK_LOAD_MS = 90_000
KERNEL_READY_MS = 90_000
WIDGET_MS = 120_000

# Without these: a "Select Kernel" dialog blocks Run All on the first notebook, and a news toast
# covers screenshots. The third is the one the README asks of users: a notebook saved in JupyterLab
# keeps its widgets' state ("Save Widget State Automatically").
USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
}


@dataclass(frozen=True)
class JupyterServer:
    base_url: str
    root_dir: Path

    def _api(self, path: str, method: str = "GET") -> object:
        """The server's REST API, as the front end calls it: a change carries the _xsrf cookie's
        value back in a header (the server refuses it otherwise)."""
        cookies = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
        headers = {}
        if method != "GET":
            opener.open(f"{self.base_url}/lab", timeout=30).close()  # sets the _xsrf cookie
            headers["X-XSRFToken"] = {cookie.name: cookie.value for cookie in cookies}.get("_xsrf", "")
        request = urllib.request.Request(f"{self.base_url}/api/{path}", method=method, headers=headers)
        with opener.open(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def notebooks_with_a_kernel(self) -> list[str]:
        """The paths of the notebooks that have a session (a kernel) on this server."""
        return [session["path"] for session in self._api("sessions")]  # type: ignore[attr-defined]

    def shut_down_kernels(self) -> None:
        """Every session's kernel shut down, as Kernel > Shut Down All Kernels does."""
        for session in self._api("sessions"):  # type: ignore[attr-defined]
            try:
                self._api(f"sessions/{session['id']}", method="DELETE")
            except urllib.error.HTTPError as error:
                if error.code != 404:  # already gone: what was wanted
                    raise

    def wait_until_kernel_gone(self, notebook: str) -> None:
        """Until the server holds no session for `notebook`: the front end shows a kernel shut down
        before the server has finished with it, and a notebook opened meanwhile joins the dying one."""
        deadline = time.monotonic() + KERNEL_READY_MS / 1000
        while any(path.endswith(notebook) for path in self.notebooks_with_a_kernel()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel of {notebook} still runs after {KERNEL_READY_MS / 1000:.0f}s")
            time.sleep(0.25)  # polling the REST API: the server sends no event for it


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SAVE_WIDGET_STATE = "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings"


def server_env(**settings: Path) -> dict[str, str]:
    """The environment of a server under test: ours, with `settings` (its config and state dirs,
    temporary, so nothing reads or writes the user's own setup) and no API key or base URL (the
    notebooks must run against the built-in emulator, never a real account)."""
    env = {name: value for name, value in os.environ.items()
           if name not in ("PRODUCTAI_API_KEY", "PRODUCTAI_BASE_URL")}
    env.update({name: str(path) for name, path in settings.items()})
    return env


def jupyter_dirs(home: Path) -> dict[str, Path]:
    """A Jupyter server's config, runtime and IPython dirs, under `home`."""
    return {"JUPYTER_CONFIG_DIR": home / "config", "JUPYTER_RUNTIME_DIR": home / "runtime",
            "IPYTHONDIR": home / "ipython"}


def _write_user_settings(config_dir: Path, save_widget_state: bool) -> None:
    for name, settings in USER_SETTINGS.items():
        if name == SAVE_WIDGET_STATE and not save_widget_state:
            continue  # JupyterLab's default: notebooks saved without their widgets' state
        path = config_dir / "lab" / "user-settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))


def wait_until_ready(url: str, server: subprocess.Popen[bytes], log: Path, what: str = "JupyterLab") -> None:
    """Until `url` answers 200; `server` (`what`, writing to `log`) exiting first is an error."""
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"{what} exited with {server.returncode}:\n{tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)  # polling an HTTP port: there is no event to await
    raise TimeoutError(f"{what} not ready at {url} after {SERVER_START_SECONDS}s:\n{tail(log)}")


def tail(log: Path, lines: int = 30) -> str:
    """The end of the server's log: the log itself goes with its temporary folder."""
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def stop_server(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM (JupyterLab, Voila and marimo shut their kernels down), then kill whatever kernel
    outlived it."""
    try:
        kernels = psutil.Process(server.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        kernels = []
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    _gone, alive = psutil.wait_procs(kernels, timeout=5)
    for kernel in alive:
        kernel.kill()
    psutil.wait_procs(alive, timeout=5)


@contextmanager
def jupyter_server(notebooks: Path, save_widget_state: bool = True) -> Iterator[JupyterServer]:
    """JupyterLab (which also serves Notebook 7) on a free loopback port, over a temp copy of `notebooks`.

    `save_widget_state=False`: JupyterLab's own default, which saves notebooks without widget state.

    Its config, runtime and IPython dirs are temporary too, so nothing here reads or writes
    the user's Jupyter setup or the repository.
    """
    with tempfile.TemporaryDirectory(prefix="pai-lab-") as tmp:
        home = Path(tmp)
        root = home / "notebooks"
        shutil.copytree(notebooks, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints", ".productai"))
        env = server_env(**jupyter_dirs(home))
        _write_user_settings(home / "config", save_widget_state)
        port = free_port()
        log = home / "jupyterlab.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    sys.executable, "-m", "jupyterlab", "--no-browser",
                    "--ServerApp.token=", "--ServerApp.password=",
                    "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
                    "--allow-root", f"--ServerApp.root_dir={root}",
                ],
                env=env, stdout=out, stderr=subprocess.STDOUT, cwd=root,
            )  # fmt: skip
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_until_ready(f"{base_url}/lab", server, log)
            yield JupyterServer(base_url=base_url, root_dir=root)
        finally:
            stop_server(server)


@contextmanager
def chromium() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (a browser download is impossible here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


# The warnings and errors of every page's console, newest last: a failing test's report shows them.
CONSOLE: deque[str] = deque(maxlen=200)


def new_page(browser: Browser) -> Page:
    """A fresh page, light theme and a fixed size, so screenshots look the same everywhere; its
    console's warnings and errors go to CONSOLE."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, color_scheme="light")
    def note(message: ConsoleMessage) -> None:
        if message.type in ("warning", "error"):
            CONSOLE.append(f"{message.type}: {message.text}")

    page.on("console", note)
    page.on("pageerror", lambda error: CONSOLE.append(f"uncaught: {error}"))
    return page


def open_notebook(page: Page, server: JupyterServer, name: str, ui: str = "lab") -> None:
    """Open `name` in JupyterLab (`ui="lab"`) or Notebook 7 (`ui="notebook"`) and wait for its kernel."""
    with kernel_answering(page, name):
        if ui == "lab":
            page.goto(f"{server.base_url}/lab/tree/{name}?reset")
        else:
            # The way a Notebook 7 user gets there: the file browser first, then the notebook's own page.
            page.goto(f"{server.base_url}/tree")
            page.locator(".jp-DirListing-item", has_text=name).first.wait_for(timeout=NOTEBOOK_LOAD_MS)
            page.goto(f"{server.base_url}/notebooks/{name}")
        page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=NOTEBOOK_LOAD_MS)


@contextmanager
def kernel_answering(page: Page, name: str) -> Iterator[None]:
    """Around what starts the kernel of notebook `name`: waits, on leaving, until that kernel can run cells.

    The kernel indicator says "idle" before the kernel is even connected, and a Run All then is
    dropped silently; the kernel's answer to the front end's first `kernel_info_request` is the
    moment cells can really run.
    """
    kernel_answered = threading.Event()

    def watch(socket: WebSocket) -> None:
        if "/api/kernels/" in socket.url:
            socket.on("framereceived", lambda frame: _note_kernel_info(frame, kernel_answered))

    page.on("websocket", watch)
    try:
        yield
        deadline = time.monotonic() + KERNEL_READY_MS / 1000
        while not kernel_answered.is_set():
            if time.monotonic() > deadline:
                raise TimeoutError(f"the kernel of {name} did not answer in {KERNEL_READY_MS / 1000:.0f}s")
            page.wait_for_timeout(100)  # lets Playwright deliver the websocket events it has queued
    finally:
        page.remove_listener("websocket", watch)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status=idle]").first.wait_for(timeout=KERNEL_READY_MS)


def _note_kernel_info(frame: str | bytes, answered: threading.Event) -> None:
    text = frame if isinstance(frame, str) else frame.decode("utf-8", "replace")
    if "kernel_info_reply" in text:
        answered.set()


def run_all_cells(page: Page) -> None:
    """Run > Run All Cells, through the menu as a user would."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()


def output(page: Page, selector: str, timeout_ms: int = WIDGET_MS) -> Locator:
    """The first `selector` inside a cell's output (not its source), once it is there."""
    found = page.locator(f".jp-OutputArea-output {selector}").first
    found.wait_for(timeout=timeout_ms)
    return found


def run_notebook(page: Page, server: JupyterServer, name: str, selector: str, ui: str = "lab") -> Locator:
    """Open a notebook, run all its cells, and wait for `selector` in an output."""
    open_notebook(page, server, name, ui)
    run_all_cells(page)
    return output(page, selector)


def cell_with_source(page: Page, text: str) -> Locator:
    """The code cell whose source contains `text` (a markdown cell may mention it too)."""
    cell = page.locator(
        ".jp-Notebook .jp-CodeCell", has=page.locator(".jp-InputArea-editor", has_text=text)
    ).first
    cell.wait_for(timeout=NOTEBOOK_LOAD_MS)
    return cell


def rerun_cell(page: Page, cell: Locator, expected_text: str, timeout_ms: int = WIDGET_MS) -> str:
    """Run one cell again (Ctrl+Enter) and return its output text once it contains `expected_text`."""
    cell.locator(".jp-InputArea-prompt").click()  # selects the cell without entering edit mode
    page.keyboard.press("Control+Enter")
    result = cell.locator(".jp-OutputArea-output", has_text=expected_text).first
    result.wait_for(timeout=timeout_ms)
    return result.inner_text()


# Where the notebook is: its cell count, its active cell, and whether a cell is being edited.
_NOTEBOOK_STATE = """() => {
  const cells = [...document.querySelectorAll(".jp-NotebookPanel .jp-Notebook .jp-Cell")];
  const notebook = document.querySelector(".jp-NotebookPanel .jp-Notebook");
  return {
    cells: cells.length,
    active: cells.findIndex((cell) => cell.classList.contains("jp-mod-active")),
    editing: notebook.classList.contains("jp-mod-editMode"),
  };
}"""


def notebook_state(page: Page) -> dict[str, object]:
    """What a key that leaked out of a widget would change: the cell count, the active cell, edit mode."""
    result: dict[str, object] = page.evaluate(_NOTEBOOK_STATE)
    return result
