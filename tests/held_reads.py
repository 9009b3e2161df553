"""Hold back every `GET /v1/jobs/{id}` a client sends until the test lets them go: what a budget
spent on creates does to the full reads, made exact, so a test sees what shows before them."""

from __future__ import annotations

import re
import threading

import httpx

JOB_PATH = re.compile(r"/v1/jobs/[^/]+$")
HELD_AT_MOST_SECONDS = 60.0  # a test that forgets to let go still ends


class HeldReads:
    """An httpx request hook: job reads wait (on the poll's own worker thread) until `release()`."""

    def __init__(self) -> None:
        self._released = threading.Event()
        self.held: list[str] = []  # the job ids whose reads were asked for while held

    def __call__(self, request: httpx.Request) -> None:
        if request.method == "GET" and JOB_PATH.search(request.url.path):
            if not self._released.is_set():
                self.held.append(request.url.path.rsplit("/", 1)[1])
            self._released.wait(HELD_AT_MOST_SECONDS)

    def release(self) -> None:
        self._released.set()

    def client(self) -> httpx.Client:
        return httpx.Client(event_hooks={"request": [self]})
