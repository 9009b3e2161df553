"""A clock the test sets by hand, for what decides on the time (`clock=`): no test waits on a real one."""

from __future__ import annotations


class FakeClock:
    """`clock()` is `clock.now`, which starts at 0.0 and moves only when the test moves it."""

    def __init__(self, now: float = 0.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now
