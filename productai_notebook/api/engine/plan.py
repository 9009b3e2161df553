"""`PlanLearning`: when the server's answers never say the limit, the account's plan (`/v1/me`) does.

Asked once, and only when pacing matters: after a 429, or when one more request could pass the
strictest plan's limit. The plan's documented limit is weaker than the headers' own.
"""

from __future__ import annotations

import threading

from ...contract import RATE_LIMITS_PER_MINUTE
from .turns import Answered

#: the fewest requests a minute any plan allows (Free): below it no plan's limit can be passed
STRICTEST_LIMIT = min(RATE_LIMITS_PER_MINUTE.values())


def plan_limit(plan: str | None) -> int | None:
    """A plan's documented requests per minute (per window), None for a plan we do not know."""
    return RATE_LIMITS_PER_MINUTE.get((plan or "").lower())


class PlanLearning:
    """Whether the engine should ask the account's plan: once, when the answers do not say the limit."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wanted = False
        self._asked = False

    def after(self, answer: Answered) -> None:
        """Weigh one answer."""
        if answer.says_limit or answer.source not in ("unknown", "setting"):
            return
        near_strictest = answer.source == "unknown" and answer.used >= STRICTEST_LIMIT - 1
        if near_strictest or answer.rate_limited:
            # the server does not say its limit and it matters now: the plan's is the next best
            # (asked before a 429 when one more request could pass the strictest plan's)
            with self._lock:
                self._wanted = True

    def wanted(self) -> bool:
        """True once, when the plan should be asked now."""
        with self._lock:
            if self._wanted and not self._asked:
                self._asked = True
                return True
            return False
