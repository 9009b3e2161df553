"""Shared fixtures: one in-process emulator per session, reached over real loopback HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from productai_notebook.emulator import Emulator

TEST_KEY = "pk_test_CANARY_d41d8cd98f00b204e9800998ecf8427e"


@pytest.fixture(scope="session")
def api_key() -> str:
    return TEST_KEY


@pytest.fixture(scope="session")
def emulator(api_key: str) -> Iterator[Emulator]:
    with Emulator(api_key=api_key, plan="enterprise", job_seconds=(0.4, 1.2), seed=1) as emu:
        yield emu


@pytest.fixture
def account_key(emulator: Emulator) -> str:
    """The key of a fresh emulator account: what a test lists is then only its own jobs."""
    key = f"pk_test_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    return key


@pytest.fixture
def account(emulator: Emulator, account_key: str):
    """A client of a fresh emulator account."""
    from productai_notebook.api import ProductAI

    with ProductAI(api_key=account_key, base_url=emulator.base_url) as c:
        yield c


@pytest.fixture
def client(emulator: Emulator, api_key: str):
    from productai_notebook.api import ProductAI

    with ProductAI(api_key=api_key, base_url=emulator.base_url) as c:
        yield c


@pytest.fixture
async def async_client(emulator: Emulator, api_key: str):
    from productai_notebook.api import AsyncProductAI

    async with AsyncProductAI(api_key=api_key, base_url=emulator.base_url) as c:
        yield c


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: Playwright's sync API keeps an event loop running in its thread while
    its session lasts, and asyncio tests after it could not start their own."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


# optional: `pytest -p no:xdist` (or no pytest-xdist installed) runs the suite in one process
@pytest.hookimpl(tryfirst=True, optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """`--dist loadgroup`: the browser tests on one worker of their own, begun first (see
    tests/browser_scheduling.py for why)."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from browser_scheduling import BrowserTestsFirstAndApart

    return BrowserTestsFirstAndApart(config, log)


@pytest.fixture(autouse=True)
def fresh_engines(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no request engine: what one test's answers taught (a scripted
    server's made-up limit, say) never paces the next test's requests to the same address."""
    from productai_notebook.api.engine import account as engine

    monkeypatch.setattr(engine, "_engines", {})


@pytest.fixture
def process_tracker(monkeypatch: pytest.MonkeyPatch):
    """A fast process-wide tracker, as a displayed job would have started one."""
    from productai_notebook.api.engine import tracker as tracking

    tracker = tracking.Tracker(min_interval=0.05, max_interval=0.2)
    monkeypatch.setattr(tracking, "_tracker", tracker)
    yield tracker
    tracker.close()
