"""How a followed job's connection stands, as its widget says it: one enum, the old strings as values."""

from __future__ import annotations

from enum import Enum


class Connection(str, Enum):
    """A followed job's connection. A `str`: widgets' traits and older code compare it to "live"."""

    #: its news comes as it happens
    LIVE = "live"
    #: its next read waits on the account's request budget (a widget says so rather than look stuck)
    QUEUED = "queued"
    #: the API cannot be reached; the engine keeps trying
    RECONNECTING = "reconnecting"
    #: nobody follows it (it ended, was let go, or the key cannot read it)
    IDLE = "idle"

    def __str__(self) -> str:
        return self.value


LIVE = Connection.LIVE
QUEUED = Connection.QUEUED
RECONNECTING = Connection.RECONNECTING
IDLE = Connection.IDLE
