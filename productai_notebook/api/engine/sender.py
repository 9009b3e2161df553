"""`Sender`: what the engine asks of a client to follow its jobs, and nothing more.

Both clients implement it, each in its own way (a blocking client's request runs on the
account's bounded pool of threads, an asyncio client's on the event loop its connection pool
lives on); the engine sees only a future, so it never tells one kind of client from the other
and never touches a client's insides.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .._http import ClientSettings, RequestSpec
    from ..job import JobHandle


class Sender(Protocol):
    """A client, as the engine sees it."""

    @property
    def settings(self) -> ClientSettings:
        """The connection (which account, hence which engine)."""
        ...

    @property
    def is_open(self) -> bool:
        """False once the client was closed: nothing may be sent through it any more."""
        ...

    def send_in_background(
        self, spec: RequestSpec, stop: threading.Event, result: bool = False
    ) -> Future[Any]:
        """Send `spec` at background priority (after the user's own calls, giving up once `stop` is
        set; `result`: an ended job's read, which may take the user's reserve, `pacing.RESULT`);
        the future holds the decoded answer or the typed error. Never blocks the caller."""
        ...

    def held_job(self, job_id: str) -> JobHandle | None:
        """The client's own handle on `job_id` while anyone holds it, else None."""
        ...
