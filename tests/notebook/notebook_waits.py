"""Bounded waits for the notebook tests: poll a condition until it holds or a generous deadline passes."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

DEADLINE_SECONDS = 60.0  # generous: two loaded cores, shared with other test runs


def wait_until(condition: Callable[[], object], what: str, timeout: float = DEADLINE_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {timeout:g} s waiting for {what}")
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
