"""How `--dist loadgroup` places the tests on pytest-xdist's workers: the browser tests all on one
worker of their own, started first, while the other workers take everything else.

The browser tests mostly wait (for a kernel, a notebook's jobs, a redraw) and are the longest group
by far: begun last, the whole run waited for them alone; begun first, their waits overlap the rest.
They share one worker because they share one JupyterLab and Chromium, and each module runs its
notebook once; spread over the workers, each would start its own JupyterLab and run each module's
notebook again, on a loaded machine. That worker then takes nothing else: Playwright's sync API keeps
an event loop running in its thread while the browser lasts, and an asyncio test after it could not
start its own. pytest-xdist's `xdist_group` mark cannot say this on pytest 9.2 (xdist 3.8 renames a
node through an attribute pytest no longer reads), so it is said here.
"""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadScopeScheduling

BROWSER_TESTS = "tests/browser/"
BROWSER = "browser"  # the one work unit every browser test belongs to


class BrowserTestsFirstAndApart(LoadScopeScheduling):  # type: ignore[misc]
    """Every test is its own unit, except the browser tests, which are one unit. With two workers
    or more, that unit is sent first; whichever worker gets it is sent nothing after it."""

    def __init__(self, config: pytest.Config, log: Any = None) -> None:
        config.option.loadscopereorder = False  # keep the collection's order (browser tests last)
        super().__init__(config, log)

    def _split_scope(self, nodeid: str) -> str:
        return BROWSER if nodeid.startswith(BROWSER_TESTS) else nodeid

    def schedule(self) -> None:
        first_time = self.collection is None
        if first_time and len(self.nodes) > 1:
            self._browser_unit_first()
        super().schedule()

    def _browser_unit_first(self) -> None:
        """Fill the queue as the base class would, with the browser unit moved to its front (the
        base class fills it only when it is empty, so it keeps this order)."""
        if not self._check_nodes_have_same_collection():
            return  # the base class reports it
        collection = next(iter(self.registered_collections.values()))
        for nodeid in collection:
            self.workqueue.setdefault(self._split_scope(nodeid), {})[nodeid] = False
        if BROWSER in self.workqueue:
            self.workqueue.move_to_end(BROWSER, last=False)

    def _assign_work_unit(self, node: Any) -> None:
        browser_next = next(iter(self.workqueue)) == BROWSER
        super()._assign_work_unit(node)
        if browser_next:
            node.shutdown()  # it finishes the browser tests, and takes no other test afterwards
