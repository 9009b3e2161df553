"""`Engine`: one per account (base URL + key) in the process, made of four separate pieces.

- `turns` (`Turns`): every request of the account waits its turn there, and what the answers
  say about the limit is learned there.
- `plan` (`PlanLearning`): when the answers never say the limit, whether to ask the plan.
- `clients` (`ClientRegistry`): the account's open clients, so a pushed state reaches their jobs.
- `creates` (`_reconcile.Creates`): the creates under way, so a lost one never claims another's job.

And `pool`: the few threads on which a blocking client's background requests run.
The methods here only hand on to those pieces, for the clients and the driver.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable

import httpx

from .._http import ClientSettings
from .._reconcile import Creates
from ..models import JobState
from .clients import ClientRegistry
from .pacing import Budget, Sent
from .plan import PlanLearning, plan_limit
from .pool import BackgroundPool
from .turns import Turns

Account = tuple[str, str]


def account_of(settings: ClientSettings) -> Account:
    """(base URL, digest of the key): the key itself lives only inside the client's settings."""
    return settings.base_url, hashlib.sha256(settings.api_key.encode()).hexdigest()


class Engine:
    """The request engine of one account, shared by every client of it in this process."""

    def __init__(self, account: Account, clock: Callable[[], float] = time.monotonic) -> None:
        self.account = account
        self.turns = Turns(clock)
        self.plan = PlanLearning()
        self.clients = ClientRegistry()
        self.creates = Creates()
        self.pool = BackgroundPool()

    def __repr__(self) -> str:
        budget = self.budget()
        return f"<Engine {self.account[0]} {budget.limit or '?'} per {budget.window:g} s ({budget.source})>"

    @property
    def requests(self) -> int:
        """Requests sent (every client, every priority): what tests count."""
        return self.turns.requests

    @property
    def rate_limited(self) -> int:
        """429s received."""
        return self.turns.rate_limited

    def configure(self, settings: ClientSettings) -> None:
        self.turns.configure(settings)

    def acquire(
        self, background: threading.Event | None = None, deadline: float | None = None, result: bool = False
    ) -> Sent:
        return self.turns.acquire(background, deadline, result)

    async def acquire_async(
        self, background: threading.Event | None = None, deadline: float | None = None, result: bool = False
    ) -> Sent:
        return await self.turns.acquire_async(background, deadline, result)

    def observe(self, sent: Sent, response: httpx.Response | None) -> None:
        answered = self.turns.observe(sent, response)
        if answered is not None:
            self.plan.after(answered)

    def plan_wanted(self) -> bool:
        """True once, when answers carry no limit and it matters: ask /v1/me then."""
        return self.plan.wanted()

    def learn_plan(self, plan: str | None) -> None:
        """The account's plan (from /v1/me): its documented limit, unless headers told better."""
        limit = plan_limit(plan)
        if limit is not None:
            # the documented limits are per minute; a shorter window (tests) counts the same per window
            self.turns.learn_limit(limit, "plan")

    def push(self, state: JobState) -> bool:
        return self.clients.push(state)

    def budget(self) -> Budget:
        return self.turns.budget()

    def spare_background(self, planned: list[float]) -> float:
        return self.turns.spare_background(planned)

    def background_wait(self) -> float:
        return self.turns.background_wait()


_engines: dict[Account, Engine] = {}
_engines_lock = threading.Lock()


def engine_for(settings: ClientSettings) -> Engine:
    """The process's engine of this account (made on first use), configured with `settings`."""
    account = account_of(settings)
    with _engines_lock:
        engine = _engines.get(account)
        if engine is None:
            engine = _engines[account] = Engine(account)
    engine.configure(settings)
    return engine
