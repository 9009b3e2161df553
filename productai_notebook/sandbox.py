"""Which client the notebook features use: the one chosen with `use()`, the environment's, or the sandbox."""

from __future__ import annotations

import os
import threading
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


def sandbox() -> ProductAI:
    """A client connected to one shared in-process emulator: no key, no network needed."""
    global _sandbox_emulator, _sandbox_client
    with _lock:
        if _sandbox_client is None:
            from .api import ProductAI
            from .emulator import Emulator

            _sandbox_emulator = Emulator(
                api_key=SANDBOX_API_KEY, plan="enterprise", job_seconds=SANDBOX_JOB_SECONDS
            )
            _sandbox_emulator.start()
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
