"""Which client the notebook features use: the one chosen with `use()`, the environment's, or the sandbox.

The sandbox keeps its jobs and images in `.productai/sandbox.sqlite3` under the working folder
(PRODUCTAI_SANDBOX_DB names another file, or ":memory:" for none), so a restarted kernel's sandbox
still serves the jobs of the one before: their images, and the batches made on it. Image URLs are
built from the port that answers; the sandbox asks for the port it had before, so the URLs a saved
notebook holds load again too while that port is free.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from .contract import API_KEY_ENV

if TYPE_CHECKING:
    from .api import ProductAI
    from .emulator import Emulator

_lock = threading.Lock()
_chosen: ProductAI | None = None
_sandbox_emulator: Emulator | None = None
_sandbox_client: ProductAI | None = None

# Sandbox jobs take a few seconds: long enough to watch the progress bar, short enough for a demo.
SANDBOX_JOB_SECONDS = (4.0, 8.0)
SANDBOX_API_KEY = "pk_sandbox_local"  # only valid on the in-process emulator; nothing secret
SANDBOX_DB_ENV = "PRODUCTAI_SANDBOX_DB"
SANDBOX_DB = Path(".productai") / "sandbox.sqlite3"
IN_MEMORY = ":memory:"


def sandbox_db() -> str | None:
    """The sandbox's SQLite file (its folder made), or None to keep it in memory."""
    chosen = os.environ.get(SANDBOX_DB_ENV, str(SANDBOX_DB))
    if chosen in ("", IN_MEMORY):
        return None
    Path(chosen).parent.mkdir(parents=True, exist_ok=True)
    return chosen


def _start_sandbox(db: str | None) -> Emulator:
    """The sandbox emulator on the port it had last time (kept beside its file), else on a free one."""
    from .emulator import Emulator

    def make(port: int) -> Emulator:
        return Emulator(
            api_key=SANDBOX_API_KEY, plan="enterprise", job_seconds=SANDBOX_JOB_SECONDS, db=db, port=port
        )

    port_file = Path(f"{db}.port") if db else None
    last = port_file.read_text().strip() if port_file and port_file.exists() else ""
    emulator = None
    if last.isdigit():
        with contextlib.suppress(OSError):  # taken by now: any free port does, URLs are built from it
            emulator = make(int(last)).start()
    emulator = emulator or make(0).start()
    if port_file is not None:
        with contextlib.suppress(OSError):
            port_file.write_text(str(emulator.origin.rsplit(":", 1)[1]))
    return emulator


def sandbox() -> ProductAI:
    """A client connected to one shared in-process emulator: no key, no network needed. Its jobs
    outlive the kernel (see the module's note)."""
    global _sandbox_emulator, _sandbox_client
    with _lock:
        if _sandbox_client is None:
            from .api import ProductAI

            _sandbox_emulator = _start_sandbox(sandbox_db())
            _sandbox_client = ProductAI(api_key=SANDBOX_API_KEY, base_url=_sandbox_emulator.base_url)
        return _sandbox_client


def use(client: ProductAI) -> ProductAI:
    """Make `client` the one the `%productai` magic and the widgets use; returns it."""
    global _chosen
    _chosen = client
    return client


def current_client() -> ProductAI | None:
    """The chosen client, else one from `PRODUCTAI_API_KEY`, else None (the caller says what to do)."""
    global _chosen
    if _chosen is None and os.environ.get(API_KEY_ENV):
        from .api import ProductAI

        _chosen = ProductAI()
    return _chosen
