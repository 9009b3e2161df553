"""Pacing one account's requests to its rate limit: a sliding window, three priorities, no I/O.

The server counts requests over a window (assume the strictest: a sliding 60 s). Every request
this process sends for the account is counted here from the moment it leaves until one window
after its answer came back (the server counted it somewhere in between, so this never frees a
slot before the server does). The user's own calls (FOREGROUND) may fill the whole window.
Nothing else ever goes while a user's call waits. Background polls (BACKGROUND: listing rounds,
progress) leave a small reserve free for the user's next call, lent on two terms, so that no slot
idles a whole window while requests wait:
- while the user is blocked in a wait (`user_waits`), the polls are that wait's own work: they may
  fill the window as the user's calls would;
- otherwise a poll may take a reserved slot when the whole reserve is free again within
  `USER_CALL_SECONDS` of it: the user's next calls (as many as the reserve) never wait longer
  than that behind progress checks.
A job's result (RESULT: the read of an ended job that brings its images or error) is what the
user asked a widget to show, so it is the user's request too: with `images_first` (the default)
it may take the reserve, as a wait's polls do. When a batch's creates and results fill the whole
window, the last images then come as soon as the limit allows rather than a window later, and a
call the user makes in that window waits for it (the budget says so); `images_first=False` keeps
the reserve for the user's calls instead.
Every method takes `now`, so tests drive it with a made-up clock.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

FOREGROUND = "foreground"
BACKGROUND = "background"
RESULT = "result"

WINDOW_SECONDS = 60.0
#: where the limit came from, weakest first: a later source only replaces an equal or weaker one
#: ("unknown": no header, plan or setting said it yet, so nothing is held back but after a 429)
LIMIT_SOURCES = ("unknown", "setting", "plan", "headers")
#: the share of the window kept free for the user's own calls
FOREGROUND_RESERVE_SHARE = 0.1
#: how soon background work asks again while a user's call waits for a slot
YIELD_SECONDS = 0.05
#: the longest the user's next call waits for a slot lent to background work: a few seconds is
#: what a cell that answers "at once" may take; longer reads as a hang
USER_CALL_SECONDS = 3.0


class Sent:
    """One counted request: counted from when it left, then from when its answer came."""

    __slots__ = ("at",)

    def __init__(self, at: float) -> None:
        self.at = at


@dataclass(frozen=True)
class Budget:
    """What `%productai budget` shows: the limit, its source, what the window holds, what waits."""

    limit: int | None
    source: str
    window: float
    used: int
    foreground_waiting: int
    background_waiting: int
    background_held_for: float  # seconds background work still pauses after a 429 (0: none)
    #: ended jobs whose images wait behind the widgets' status rounds (`reserve.py`)
    reads_behind_rounds: int = 0
    #: seconds until the window lets the next job update (a widget's read) go (0: now)
    frees_in: float = 0.0
    #: slots progress checks leave free for the user's calls now (0 while the user waits on jobs)
    kept_for_calls: int = 0

    def describe(self) -> str:
        """Three lines for a person: the limit and where it came from, the window's use and when it
        frees, what waits."""
        origin = {"headers": "the server's headers", "plan": "your plan", "setting": "requests_per_minute="}
        if self.limit is None:
            limit = "not known yet (nothing is held back until the server or your plan says)"
        else:
            source = origin.get(self.source, self.source)
            limit = f"{self.limit} requests per {self.window:g} s (from {source})"
        frees = "free now"
        if self.frees_in > 0:
            frees = f"job updates may go again in about {math.ceil(self.frees_in)} s"
        waiting = []
        if self.background_waiting:
            waiting.append(f"{self.background_waiting} job updates for the widgets")
        if self.foreground_waiting:
            waiting.append(f"{self.foreground_waiting} of your calls")
        if self.reads_behind_rounds:
            waiting.append(f"{self.reads_behind_rounds} ended jobs' images, after the widgets' status checks")
        if self.background_held_for > 0:
            paused = f"{self.background_held_for:.0f} s"
            waiting.append(f"job updates paused {paused} more (the server said too many requests)")
        return "\n".join([
            f"rate limit: {limit}",
            f"last {self.window:g} s: {self.used} requests; {frees}",
            f"waiting: {', '.join(waiting) or 'nothing'}",
        ])


class Pacer:
    """How long a request of each priority must wait before it may go, for one account."""

    def __init__(self, window: float = WINDOW_SECONDS) -> None:
        if window <= 0:
            raise ValueError("the rate window must be positive seconds")
        self.limit: int | None = None
        self.source = LIMIT_SOURCES[0]
        self.window = window
        self._sent: list[Sent] = []
        self._background_held_until = 0.0
        #: the user's calls waiting for a slot: while any waits, no background request goes
        self.foreground_waiting = 0
        #: the user is blocked in a wait for jobs: background polls are that wait's own work
        self.user_waits = False
        #: an ended job's read (its images or error) may take the slots kept for the user's calls
        self.images_first = True
        self.background_waiting = 0
        self.reads_behind_rounds = 0

    @property
    def reserve(self) -> int:
        """Slots of the window background polls leave to the user's own calls."""
        if self.limit is None or self.limit < 2:
            return 0
        return math.ceil(self.limit * FOREGROUND_RESERVE_SHARE)

    def learn_limit(self, limit: int, source: str) -> None:
        """A limit from `source`; kept unless a stronger source already spoke (headers > plan > setting)."""
        if limit >= 1 and LIMIT_SOURCES.index(source) >= LIMIT_SOURCES.index(self.source):
            self.limit, self.source = limit, source

    def used(self, now: float) -> int:
        """Requests counted in the window ending now."""
        self._sent = [sent for sent in self._sent if sent.at > now - self.window]
        return len(self._sent)

    def wait_time(self, priority: str, now: float) -> float:
        """0 when a request of `priority` may go now, else the seconds until it may."""
        self.used(now)  # forget what left the window
        if priority != FOREGROUND and now < self._background_held_until:
            return self._background_held_until - now
        if self.limit is None:
            return 0.0
        if priority != FOREGROUND and self.foreground_waiting:
            # never ahead of a waiting user's call (one from another thread while a wait runs,
            # too): ask again once it went
            return max(self._slot_frees_at(self.limit - self.reserve, now) - now, YIELD_SECONDS)
        if priority == FOREGROUND or self.user_waits or (priority == RESULT and self.images_first):
            return max(0.0, self._slot_frees_at(self.limit, now) - now)
        return self._background_slot_at(now) - now

    def _background_slot_at(self, now: float) -> float:
        """When a background request may go: a slot below the reserve, or a reserved one while the
        whole reserve is free again within USER_CALL_SECONDS of it going."""
        leaves = sorted(sent.at + self.window for sent in self._sent)
        # the count changes only when a request leaves the window, and the look-ahead only when
        # one leaves USER_CALL_SECONDS later: the first moment that works is one of these (the
        # last leaving one always does: the window is empty then)
        shifted = (at - shift for at in leaves for shift in (0.0, USER_CALL_SECONDS))
        moments = [now, *(moment for moment in shifted if moment > now)]
        return min(moment for moment in moments if self._background_may_go(leaves, moment))

    def _background_may_go(self, leaves: list[float], moment: float) -> bool:
        assert self.limit is not None
        held = sum(1 for at in leaves if at > moment)
        held_later = sum(1 for at in leaves if at > moment + USER_CALL_SECONDS)
        # lent only while it comes back in time: within USER_CALL_SECONDS the whole reserve is free again
        cap = self.limit - self.reserve
        return held < cap or (held < self.limit and held_later < cap)

    def spare_background(self, planned: list[float], now: float) -> float:
        """How many background requests may go now while each `planned` one (a widget's listing
        round, at its monotonic time) still finds its slot then (inf: no limit known yet).

        A request sent now holds its slot for a whole window, so only what leaves the window
        before a planned time frees room for it; a plan beyond one window is free of today's use.
        """
        self.used(now)  # forget what left the window
        if self.limit is None:
            return math.inf
        if now < self._background_held_until:
            return 0
        cap = self.limit - self.reserve
        spare = cap - len(self._sent)
        ahead = sorted(at for at in planned if now <= at < now + self.window)
        for count, at in enumerate(ahead, start=1):
            held_then = sum(1 for sent in self._sent if sent.at > at - self.window)
            spare = min(spare, cap - held_then - count)
        return max(0, spare)

    def _slot_frees_at(self, cap: int, now: float) -> float:
        """When the window holds fewer than `cap` requests (now, if it already does)."""
        if len(self._sent) < cap:
            return now
        times = sorted(sent.at for sent in self._sent)
        return times[len(times) - cap] + self.window

    def take(self, now: float) -> Sent:
        """Count a request leaving now (after `wait_time` said 0)."""
        sent = Sent(now)
        self._sent.append(sent)
        return sent

    def answered(self, sent: Sent, now: float) -> None:
        """Its answer came: the server counted it by now, so it leaves the window one window from now."""
        sent.at = max(sent.at, now)

    def learn_remaining(
        self, limit: int, remaining: int, sent_at: float, now: float, reset: float | None = None
    ) -> None:
        """The server's own count (X-RateLimit-*): what it counted beyond ours is another process's.

        Ours is every request counted since one window before this one left: the server cannot
        have seen more of ours. The others fill the window until `reset` (when the server's
        oldest counted request leaves it; a whole window when not said). Each answer counts
        again, so what leaves too early here is put back by the next one.
        """
        self.learn_limit(limit, "headers")
        if self.limit is None:
            return
        ours = sum(1 for sent in self._sent if sent.at > sent_at - self.window)
        foreign = (self.limit - max(0, remaining)) - ours
        leaves_at = now + (self.window if reset is None else min(max(reset, 0.0), self.window))
        self._sent.extend(Sent(leaves_at - self.window) for _ in range(max(0, foreign)))

    def hold_background(self, seconds: float, now: float) -> None:
        """A 429 came anyway (another process shares the key): background work pauses this long."""
        self._background_held_until = max(self._background_held_until, now + seconds)

    def budget(self, now: float) -> Budget:
        return Budget(
            limit=self.limit,
            source=self.source,
            window=self.window,
            used=self.used(now),
            foreground_waiting=self.foreground_waiting,
            background_waiting=self.background_waiting,
            background_held_for=max(0.0, self._background_held_until - now),
            reads_behind_rounds=self.reads_behind_rounds,
            frees_in=self.wait_time(BACKGROUND, now),
            kept_for_calls=0 if self.user_waits else self.reserve,
        )
