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

from .contract import API_KEY_ENV, RATE_LIMITS_PER_MINUTE

if TYPE_CHECKING:
    from .api import ProductAI
    from .emulator import Emulator

_lock = threading.Lock()
_chosen: ProductAI | None = None
_sandbox_emulator: Emulator | None = None
#: one client per plan, each on its own sandbox account of the one emulator
_sandbox_clients: dict[str, ProductAI] = {}

# Sandbox jobs take a few seconds: long enough to watch the progress bar, short enough for a demo.
SANDBOX_JOB_SECONDS = (4.0, 8.0)
SANDBOX_API_KEY = "pk_sandbox_local"  # only valid on the in-process emulator; nothing secret
SANDBOX_PLAN = "enterprise"  # the default sandbox: a limit no demo reaches
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
            api_key=SANDBOX_API_KEY, plan=SANDBOX_PLAN, job_seconds=SANDBOX_JOB_SECONDS, db=db, port=port
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


def sandbox(plan: str | None = None) -> ProductAI:
    """A client connected to one shared in-process emulator: no key, no network needed. Its jobs
    outlive the kernel (see the module's note).

    `plan="free"` or `"pro"`: a sandbox account on that plan (its request rate limit), on the same
    emulator, to see how the widgets behave at a real account's limit. A closed client is replaced.
    """
    global _sandbox_emulator
    plan = SANDBOX_PLAN if plan is None else plan
    if plan not in RATE_LIMITS_PER_MINUTE:
        raise ValueError(f"plan must be one of {', '.join(map(repr, RATE_LIMITS_PER_MINUTE))}, not {plan!r}")
    with _lock:
        client = _sandbox_clients.get(plan)
        if client is not None and not client.is_closed:
            return client
        from .api import ProductAI

        if _sandbox_emulator is None:
            _sandbox_emulator = _start_sandbox(sandbox_db())
        api_key = SANDBOX_API_KEY if plan == SANDBOX_PLAN else f"{SANDBOX_API_KEY}_{plan}"
        if plan != SANDBOX_PLAN and client is None:  # (once: adding it again would reset its credits)
            _sandbox_emulator.add_account(api_key, plan=plan)
        _sandbox_clients[plan] = client = ProductAI(api_key=api_key, base_url=_sandbox_emulator.base_url)
        return client


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
