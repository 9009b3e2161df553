"""Fault injection: real failures on a real socket, off by default.

A spec like `500:0.1,429:0.05,reset:0.02,slow:0.05@3s,garbage:0.02` gives each kind a
probability per API request; one draw per request picks at most one fault, from a seeded
random stream so a run can be repeated. `garbage`, `502_after`, `reset_after` and `timeout_after`
act after the route ran: what it did (a stored job, spent credits) stays and only the answer is
lost, as when a proxy or the network fails on the way back, so a client that sends a create again
without looking makes a second job. `timeout_after` holds the answer back (60 s unless `@seconds`
says otherwise, or until the client hangs up): a client's read timeout strikes with the job made.
`next_on(route, kind)` aims one fault at the next request to one route, for tests ("POST /v1/generate").
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass

KINDS = ("500", "429", "reset", "slow", "garbage", "502_after", "reset_after", "timeout_after")
AFTER_ROUTE = frozenset({"garbage", "502_after", "reset_after", "timeout_after"})
# the kinds that stall, and for how long unless `@seconds` says: a timeout_after outlasts the
# client's default read timeout (30 s)
STALL_SECONDS = {"slow": 3.0, "timeout_after": 60.0}


@dataclass(frozen=True)
class Fault:
    kind: str
    probability: float
    seconds: float = 0.0  # how long a "slow" or "timeout_after" fault stalls


def parse_faults(spec: str) -> tuple[Fault, ...]:
    """Parse a fault spec; ValueError says which part is wrong."""
    faults = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        kind, sep, rest = part.partition(":")
        if kind not in KINDS or not sep:
            raise ValueError(f"fault {part!r}: expected KIND:PROBABILITY with KIND one of {', '.join(KINDS)}")
        probability_text, _, seconds_text = rest.partition("@")
        try:
            probability = float(probability_text)
            seconds = float(seconds_text.removesuffix("s")) if seconds_text else STALL_SECONDS.get(kind, 0.0)
        except ValueError:
            raise ValueError(f"fault {part!r}: probability and @seconds must be numbers") from None
        if not 0.0 <= probability <= 1.0:
            raise ValueError(f"fault {part!r}: probability must be between 0 and 1")
        if seconds_text and kind not in STALL_SECONDS:
            raise ValueError(f"fault {part!r}: only {' and '.join(STALL_SECONDS)} take @seconds")
        faults.append(Fault(kind, probability, seconds))
    if sum(f.probability for f in faults) > 1.0 + 1e-9:
        raise ValueError(f"faults {spec!r}: the probabilities add up to more than 1")
    return tuple(faults)


class FaultInjector:
    def __init__(self, faults: tuple[Fault, ...], seed: int) -> None:
        self._faults = faults
        self._random = random.Random(f"faults/{seed}")
        self._lock = threading.Lock()
        self._aimed: dict[str, list[Fault]] = {}

    def next_on(self, route: str, kind: str) -> None:
        """The next request to `route` ("POST /v1/generate") suffers `kind`, whatever the odds."""
        if kind not in KINDS or kind == "slow":
            raise ValueError(f"fault kind must be one of {', '.join(k for k in KINDS if k != 'slow')}")
        with self._lock:
            self._aimed.setdefault(route, []).append(Fault(kind, 1.0, STALL_SECONDS.get(kind, 0.0)))

    def draw(self, route: str = "") -> Fault | None:
        """The fault this request (to `route`, "METHOD /path") suffers, if any."""
        with self._lock:
            aimed = self._aimed.get(route)
            if aimed:
                return aimed.pop(0)
        if not self._faults:
            return None
        with self._lock:
            roll = self._random.random()
        for fault in self._faults:
            if roll < fault.probability:
                return fault
            roll -= fault.probability
        return None
