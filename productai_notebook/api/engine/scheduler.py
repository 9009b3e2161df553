"""`Scheduler`: what following one account's jobs does next, decided without I/O or a clock of its own.

Given the time, the jobs followed (`Follow`: who holds each, what it needs, when it is due) and the
account's budget, `next_actions` says what to send now (a listing round, or which jobs' own reads)
and how long to sleep before anything else is due. The driver (`driver.py`) carries that out and
reports the answers back (`round_answered`, `read_answered`, ...). Every rule is here:

- With two or more jobs, a round of listings (`listings.StatusListings`) tells which ended; a job
  is read on its own when a listing says it ended (for its images or error), when no listing covers
  it, when it is the only job followed, or for a widget's progress when the listings carry none
  and the budget has room (under half the window used, nothing waiting).
- Results first: while a read a wait holds is under way, the next round waits, so a scarce budget
  goes to results, not listings.
- Reads only widgets want (the end already shows) wait behind the widgets' rounds while the budget
  is scarce (`reserve`), the longest held first, one window at most; meanwhile they show as queued.
- When the window cannot hold a listing round besides one read of every followed job, or the
  round finds no slot outside the reserve kept for the user's calls (a lone job: no slot for a read
  of its progress), no news goes: each job is read once, at its expected end (news would push the
  last result a window on).
- A read for a job's result (a listing said it ended, or a read of its own at or past its expected
  end: a lone job's, or that one read when no round goes) is marked `for_result`: it may take the
  slots kept for the user's calls (`pacing.RESULT`). A job still running at such a read a few times
  over was estimated wrong: its next reads are news, and keep the reserve.
- A job whose end is pushed (a webhook) is read only as a slow fallback.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .._http import backoff_seconds
from ..errors import APIConnectionError, AuthenticationError, PermissionDeniedError, ProductAIError
from ..job import JobHandle
from ..models import JobPage, JobState
from .cadence import Cadence, PollInterval
from .connection import IDLE, LIVE, RECONNECTING, Connection
from .listings import Followed, Listing, RoundNews, StatusListings
from .pacing import Budget
from .reserve import WantedRead, listing_rounds, reads_that_go

#: a request that must wait longer than this for its turn shows its jobs as queued
QUEUED_AFTER_SECONDS = 1.0
#: a job whose end is pushed (webhook_url) is still read, this seldom, for a delivery that never comes
PUSH_FALLBACK_SECONDS = 30.0
#: how often a read for a job's result may find it still running before its reads count as news
#: (an estimate in whole seconds, or a progress rate that wobbles, is a read or two early)
RESULT_MISSES = 3
#: a round waits this long after a job is newly followed, so jobs shown together (a loop of views)
#: are all followed, and weighed against the budget, before the first listing
GATHER_SECONDS = 0.5

ConnectionListener = Callable[[Connection], None]


def ended_in_full(state: JobState, read_whole: bool) -> bool:
    """The one test of "ended and known in full" (what a wait yields): its images or its error.

    A listing's summary of an end is not, until the job's own read came (`read_whole`: a completed
    job may have made no image, so its full state can still look like a summary)."""
    return state.is_terminal and (read_whole or not state.is_summary)


def ends_following(error: ProductAIError) -> bool:
    """A 401 or 403: the key cannot read this account's jobs; nothing is followed any more."""
    return isinstance(error, AuthenticationError | PermissionDeniedError)


def connection_after(error: ProductAIError) -> Connection | None:
    """A failed request's jobs' connection: IDLE after a 401/403, RECONNECTING while the API cannot
    be reached, else unchanged (an odd answer, a 5xx, a 429 past the retries: keep trying, slower)."""
    if ends_following(error):
        return IDLE
    if isinstance(error, APIConnectionError):
        return RECONNECTING
    return None


@dataclass(eq=False)
class Follow:
    """One followed job: who holds it, how following it goes, and when it is next read on its own."""

    job: JobHandle
    cadence: Cadence
    holders: dict[object, bool] = field(default_factory=dict)  # holder -> shows progress (a widget)
    listeners: list[ConnectionListener] = field(default_factory=list)
    connection: Connection = LIVE
    reading: bool = False
    read_due: float = 0.0  # its next read of its own (the driver's clock)
    needs_read: bool = False  # a listing said it ended: read it for its images or error
    uncovered: bool = False  # no listing covered it: read it at its own pace
    failures: int = 0
    error: ProductAIError | None = None  # what the last failed request said (None after a success)
    read_in_full: bool = False  # its own read said it ended: whatever it carries is all there is
    #: since when its due read waits for widgets' listing rounds (it shows as queued meanwhile)
    behind_rounds_since: float | None = None
    #: its next read is for its result (images or error), not news of its progress
    for_result: bool = False
    #: reads for its result that found it still running (its expected end was early)
    result_misses: int = 0

    @property
    def shown(self) -> bool:
        return any(self.holders.values())

    @property
    def waited_on(self) -> bool:
        """A wait holds it for its result (not only widgets for its status)."""
        return not all(self.holders.values())

    @property
    def done(self) -> bool:
        return ended_in_full(self.job.state, self.read_in_full)

    def wanted_read(self, now: float, patience: float = math.inf) -> WantedRead:
        """Its read as `reserve` weighs it (held behind rounds `patience` s, it waits no more)."""
        since = self.behind_rounds_since
        # a terminal state on a followed job is a listing's summary: a full one would have ended it
        return WantedRead(
            self.job.id,
            end_shown=self.job.state.is_terminal,
            waited_on=self.waited_on,
            held_long=since is not None and now - since >= patience,
        )


class BudgetView(Protocol):
    """What the scheduler reads of the account's budget (the engine's `Turns`, or a test's)."""

    def budget(self) -> Budget: ...

    def spare_background(self, planned: list[float]) -> float: ...

    def background_wait(self) -> float: ...


@dataclass
class Actions:
    """What to do now."""

    #: a listing round to send now (empty: none); its answers go to `round_answered`
    listings: tuple[Listing, ...] = ()
    #: jobs to read on their own now (each answer goes to `read_answered` or `read_failed`)
    reads: list[Follow] = field(default_factory=list)
    #: due reads held behind the widgets' rounds (their widgets say "queued")
    held: list[Follow] = field(default_factory=list)
    #: seconds until something else is due (0: ask again at once; None: nothing is followed)
    sleep: float | None = None


class Scheduler:
    """The decisions of following one account's jobs. Holds the rounds' state; every call takes `now`."""

    def __init__(self, max_backoff: float) -> None:
        self.max_backoff = max_backoff
        self.listings = StatusListings()
        self.round_due = 0.0
        self.round_failures = 0
        #: whether the last listing carried the progress of processing jobs (else widgets read it)
        self.listings_show_progress = True

    # -- holders come and go ------------------------------------------------------------------

    def new_follow(self, job: JobHandle, poll_interval: PollInterval, now: float) -> Follow:
        """A job followed from now: its first read one interval away (the next round a moment away)."""
        self.round_due = max(self.round_due, now + GATHER_SECONDS)
        follow = Follow(job, Cadence(poll_interval), read_due=now)
        follow.cadence.observe(job.state, now)
        follow.read_due += follow.cadence.next_delay(job.state, now)
        return follow

    def add_holder(self, follow: Follow, holder: object, shown: bool, poll_interval: PollInterval,
                   now: float, *, first: bool) -> None:
        """Another holder (a widget if `shown`, else a wait): the most eager one sets the pace."""
        if not first:
            wanted = Cadence(poll_interval)
            follow.cadence.low = min(follow.cadence.low, wanted.low)
            follow.cadence.high = min(follow.cadence.high, wanted.high)
            follow.read_due = min(follow.read_due, now + follow.cadence.next_delay(follow.job.state, now))
            self.round_due = min(self.round_due, now + follow.cadence.high)
        if follow.job.push_expected:
            follow.cadence.low = max(follow.cadence.low, PUSH_FALLBACK_SECONDS)
            follow.cadence.high = max(follow.cadence.high, PUSH_FALLBACK_SECONDS)
            follow.read_due = max(follow.read_due, now + PUSH_FALLBACK_SECONDS)
        follow.holders[holder] = shown

    # -- what to do now -----------------------------------------------------------------------

    def next_actions(self, now: float, follows: Sequence[Follow], budget: BudgetView) -> Actions:
        """What to send now, and how long until something else is due."""
        follows = list(follows)
        if not follows:
            return Actions()
        for follow in follows:
            if follow.job.state.is_terminal:  # a listed summary reached the handle: read it in full
                follow.needs_read = True
        pauses = []
        # results first: while jobs a wait holds are being read, the next round waits (a finished
        # read asks again), so a scarce budget goes to results, not listings; reads only widgets
        # want go behind the rounds instead (`reserve`)
        results_first = any(f.reading and not f.wanted_read(now).behind_listings for f in follows)
        scarce = self.no_slot_for_rounds(follows, budget)
        if len(follows) >= 2 and not results_first and not scarce:
            if self.round_due <= now:
                followed = [Followed(f.job.id, f.job.created_at) for f in follows]
                return Actions(listings=self.listings.listings(followed), sleep=0.0)
            pauses.append(self.round_due - now)
        on_its_own = len(follows) < 2 or scarce
        due = []
        for follow in follows:
            if follow.reading:
                continue
            own_pace = on_its_own or follow.uncovered or self.progress_wanted(follow, budget)
            read_due = follow.read_due
            if scarce and not follow.needs_read:  # one read at its expected end: its result, not news
                read_due = max(read_due, follow.cadence.expected_finish(follow.job.state, now))
            if (follow.needs_read or own_pace) and read_due <= now:
                follow.for_result = follow.needs_read or self.at_its_end(follow, now)
                due.append(follow)
            elif follow.needs_read or own_pace:
                pauses.append(read_due - now)
        # with no round coming (scarce), no read waits behind one
        going, held = (due, []) if scarce else self._reads_that_go(due, follows, now, budget)
        return Actions(reads=going, held=held, sleep=max(0.0, min(pauses)) if pauses else None)

    def _reads_that_go(
        self, due: list[Follow], follows: list[Follow], now: float, budget: BudgetView
    ) -> tuple[list[Follow], list[Follow]]:
        """The due reads that go now, and those held: reads of ends widgets already show wait while
        the budget is needed for the rounds that show the next ends (a held one is weighed each time)."""
        # the images shown ended longest ago first (held since the round that showed the end)
        due = sorted(due, key=lambda f: now if f.behind_rounds_since is None else f.behind_rounds_since)
        # a read waits behind the rounds one window at most: a steady stream of new jobs never starves it
        window = budget.budget().window
        reads = [follow.wanted_read(now, patience=window) for follow in due]
        spare = math.inf
        if any(read.behind_listings for read in reads):
            spare = self._spare_for_shown_ends(follows, now, budget)
        going = {id(read) for read in reads_that_go(reads, spare)}
        goes, held = [], []
        for follow, read in zip(due, reads, strict=True):
            if id(read) in going:
                follow.behind_rounds_since = None
                goes.append(follow)
            else:
                if follow.behind_rounds_since is None:
                    follow.behind_rounds_since = now
                held.append(follow)
        return goes, held

    def _spare_for_shown_ends(self, follows: list[Follow], now: float, budget: BudgetView) -> float:
        """How many reads of ends widgets already show may go now: what the budget leaves once the
        widgets' coming rounds have their slots (any number when no round is coming)."""
        running = [f for f in follows if f.shown and not f.job.state.is_terminal]
        if len(follows) < 2 or not running:
            return math.inf
        rounds = listing_rounds(
            next_round=max(now, self.round_due),
            last_expected_end=max(f.cadence.expected_finish(f.job.state, now) for f in running),
            interval=min(f.cadence.low for f in running),
            horizon=now + budget.budget().window,
        )
        requests = [at for at in rounds for _ in range(self.listings.listings_per_round())]
        return budget.spare_background(requests)

    @staticmethod
    def at_its_end(follow: Follow, now: float) -> bool:
        """The job should have ended by now (and was not found running at its end too often)."""
        expected = follow.cadence.expected_finish(follow.job.state, now)
        return expected <= now and follow.result_misses < RESULT_MISSES

    def no_slot_for_rounds(self, follows: Sequence[Follow], budget: BudgetView) -> bool:
        """The window cannot hold a listing round besides one read of every followed job (for a
        lone job: no read of its progress), so each job is read once, at its expected end, rather
        than listed (or read early) and then read: news sent now would push the last result into
        the next window, or queue for the user's reserve while the result waits behind it."""
        now = budget.budget()
        if now.limit is None or not follows:
            return False
        room = now.limit - now.used
        if len(follows) == 1:  # its progress reads take slots outside the user's reserve
            return room - now.kept_for_calls < 1
        unread = sum(1 for f in follows if not f.done)
        rounds = self.listings.listings_per_round()
        # a round takes slots outside the user's reserve; the results after it may take the reserve
        return room < unread + rounds or room - now.kept_for_calls < rounds

    def progress_wanted(self, follow: Follow, budget: BudgetView) -> bool:
        """A widget shows this job, the listings carry no progress, and the budget has room to spare."""
        if not follow.shown or self.listings_show_progress:
            return False
        now = budget.budget()
        room = now.limit is None or now.used * 2 < now.limit
        return room and budget.background_wait() == 0

    @staticmethod
    def queued(budget: BudgetView) -> bool:
        """A request about to go waits so long for its turn that its jobs show as queued."""
        return budget.background_wait() > QUEUED_AFTER_SECONDS

    # -- the answers --------------------------------------------------------------------------

    def listing_answered(self, raw: object) -> None:
        """One listing of a round came back: does it carry the progress of the jobs processing?"""
        items = raw.get("jobs", []) if isinstance(raw, dict) else []
        processing = [item for item in items if isinstance(item, dict) and item.get("status") == "processing"]
        self.listings_show_progress = all("progress" in item for item in processing)

    def round_answered(
        self, now: float, follows: Sequence[Follow], pages: dict[Listing, JobPage],
        apply: Callable[[Follow, RoundNews], None],
    ) -> RoundNews:
        """A round's listings came back: `apply(follow, news)` puts the news on each job's handle
        first (so each cadence sees the fresh state); then each job's next read and the next round."""
        followed = [Followed(f.job.id, f.job.created_at) for f in follows]
        news = self.listings.read(followed, pages)
        self.round_failures = 0
        for follow in follows:
            apply(follow, news)
            if follow.job.id in news.running:
                follow.cadence.observe(follow.job.state, now)
            if follow.job.id in news.ended and not follow.needs_read:
                follow.needs_read = True
                follow.read_due = min(follow.read_due, now)
            follow.uncovered = follow.job.id in news.uncovered
        self.round_due = now + min(f.cadence.next_delay(f.job.state, now) for f in follows)
        return news

    def round_failed(self, now: float) -> None:
        """A round's listing failed: the next round backs off (listings are idempotent: nothing is lost)."""
        self.round_failures += 1
        self.round_due = now + backoff_seconds(self.round_failures - 1, cap=self.max_backoff)

    def read_answered(self, now: float, follow: Follow, state: JobState) -> None:
        """A job's own read came back (its state already on the handle)."""
        follow.failures = 0
        follow.needs_read = False
        follow.read_in_full = state.is_terminal
        if follow.for_result and not state.is_terminal:
            follow.result_misses += 1
        follow.cadence.observe(follow.job.state, now)
        follow.read_due = now + follow.cadence.next_delay(follow.job.state, now)

    def read_failed(self, now: float, follow: Follow) -> None:
        """A job's own read failed: its next one backs off."""
        follow.failures += 1
        follow.read_due = now + backoff_seconds(follow.failures - 1, cap=self.max_backoff)
