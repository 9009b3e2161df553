"""How `--dist loadgroup` places the tests on pytest-xdist's workers: the browser tests begin at once,
on workers of their own (two from five workers up, else one), while the other workers take
everything else.

The browser tests mostly wait (for a kernel, a notebook's jobs, a redraw) and are the longest part
by far: begun last, the whole run waited for them alone; begun first, their waits overlap the rest.
A browser test module is one unit, never split: its tests share the notebook its module runs once,
in one JupyterLab and Chromium per worker. So a browser worker starts JupyterLab only once, and a
module's notebook never runs twice, however the modules are spread.

A worker that has run a browser test takes no other test afterwards: Playwright's sync API keeps an
event loop running in its thread while the browser lasts, and an asyncio test after it could not
start its own.
pytest-xdist's `xdist_group` mark cannot say this on pytest 9.2 (xdist 3.8 renames a node through an
attribute pytest no longer reads), so it is said here.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

BROWSER_TESTS = "tests/browser/"
MOST_BROWSER_WORKERS = 2  # each starts its own JupyterLab and Chromium: more would cost more than they save

Unit = dict[str, bool]  # a unit's test ids, each with whether it has run


def browser_workers(workers: int) -> int:
    """How many workers begin with the browser tests: with one worker, none (it runs them last);
    otherwise one for every two others, at most MOST_BROWSER_WORKERS."""
    return 0 if workers < 2 else max(1, min(MOST_BROWSER_WORKERS, (workers - 1) // 2))


def is_browser(scope: str) -> bool:
    return scope.startswith(BROWSER_TESTS)


class BrowserTestsFirstAndApart(LoadScopeScheduling):  # type: ignore[misc]
    """Every other test is a unit of its own; every browser test module is one unit."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False  # keep the collection's order (browser tests last)
        super().__init__(config, log)
        self.browser_queue: OrderedDict[str, Unit] = OrderedDict()
        self.browser_nodes: list[Any] = []  # the workers that begin with the browser tests
        self.in_a_browser: set[Any] = set()  # the workers that have been given a browser test

    def _split_scope(self, nodeid: str) -> str:
        return nodeid.split("::", 1)[0] if is_browser(nodeid) else nodeid

    @property
    def tests_finished(self) -> bool:
        return not self.browser_queue and bool(super().tests_finished)

    @property
    def has_pending(self) -> bool:
        return bool(self.browser_queue) or bool(super().has_pending)

    def schedule(self) -> None:
        assert self.collection_is_completed
        if self.collection is None:
            if not self._check_nodes_have_same_collection():
                self.log("**Different tests collected, aborting run**")
                return
            self.collection = list(next(iter(self.registered_collections.values())))
            for nodeid in self.collection:
                scope = self._split_scope(nodeid)
                self._queue_of(scope).setdefault(scope, {})[nodeid] = False
            wanted = min(browser_workers(len(self.nodes)), len(self.browser_queue))  # none when none chosen
            self.browser_nodes = self.nodes[:wanted]
        for _ in range(2):  # each worker starts with two units where there are enough (xdist #277)
            for node in self.nodes:
                self._reschedule(node)

    def _queue_of(self, scope: str) -> OrderedDict[str, Unit]:
        return self.browser_queue if is_browser(scope) else self.workqueue

    def _reschedule(self, node: Any) -> None:
        if node.shutting_down or self._pending_of(self.assigned_work[node]) > 2:
            return
        browser_only = node in self.browser_nodes or node in self.in_a_browser
        if self.workqueue and not browser_only:
            queue = self.workqueue
        elif self.browser_queue and (browser_only or not self.browser_nodes):  # (none left: one crashed)
            queue = self.browser_queue
        else:
            node.shutdown()  # nothing left that it may take
            return
        scope, unit = queue.popitem(last=False)
        self.assigned_work[node][scope] = unit
        if queue is self.browser_queue:
            self.in_a_browser.add(node)
        collection = self.registered_collections[node]
        node.send_runtest_some([collection.index(nodeid) for nodeid, done in unit.items() if not done])

    def remove_node(self, node: Any) -> str | None:
        """A worker is done, or crashed: then the tests it had not run go back to their queues."""
        workload = self.assigned_work.pop(node)
        if node in self.browser_nodes:
            self.browser_nodes.remove(node)
        self.in_a_browser.discard(node)
        unrun = [nodeid for unit in workload.values() for nodeid, done in unit.items() if not done]
        if not unrun:
            return None
        for scope, unit in workload.items():
            if not all(unit.values()):
                self._queue_of(scope)[scope] = unit
        for other in self.nodes:
            self._reschedule(other)
        return unrun[0]
