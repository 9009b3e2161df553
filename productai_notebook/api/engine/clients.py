"""`ClientRegistry`: the open clients of one account, so a pushed state reaches every handle of its job."""

from __future__ import annotations

import weakref

from ..models import JobState
from .sender import Sender


class ClientRegistry:
    """The account's clients (weakly held: a client nobody holds leaves on its own)."""

    def __init__(self) -> None:
        self._clients: weakref.WeakSet[Sender] = weakref.WeakSet()

    def add(self, client: Sender) -> None:
        self._clients.add(client)

    def open_one(self, preferred: Sender) -> Sender | None:
        """`preferred` while it is open, else another open client of the account (a `with` block
        may end while a widget still shows its job), else None: nothing may send any more."""
        if preferred.is_open:
            return preferred
        return next((client for client in list(self._clients) if client.is_open), None)

    def push(self, state: JobState) -> bool:
        """A pushed state (a webhook delivery) into every handle of the job these clients hold, so
        their views update with no request; True if it changed one. A repeat or an older state
        changes nothing: an ended job never changes again."""
        changed = False
        for client in list(self._clients):
            handle = client.held_job(state.job_id)
            if handle is not None:
                changed = handle.offer_state(state) or changed
        return changed
