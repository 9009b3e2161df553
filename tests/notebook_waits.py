"""Bounded waits for the tests: poll a condition until it holds or a generous deadline passes."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

DEADLINE_SECONDS = 60.0  # generous: two loaded cores, shared with other test runs


def wait_until(condition: Callable[[], T], what: str, timeout: float = DEADLINE_SECONDS) -> T:
    """What `condition()` returns once it is truthy; fails naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.02)
    return result


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
