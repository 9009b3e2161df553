"""Emulators of the emulator tests: each module gets its own, so counts and limits are its own."""

from __future__ import annotations

import gc
import secrets
import warnings
from collections.abc import Callable, Iterator

import pytest

from productai_notebook.emulator import Emulator

FAST_JOBS = (0.4, 1.2)
NO_RATE_LIMIT = 1_000_000


@pytest.fixture(autouse=True)
def _earlier_tests_garbage_collected() -> None:
    """Collect what earlier tests of this worker left before a test that turns every warning into an
    error: a ResourceWarning from their garbage is not the emulator's doing. The leaks seen so far
    (HTTP clients passed in and never closed, an asyncio client's blocking twin, a socket kept after a
    failed bind, pipes of killed processes) are fixed where they were made; this stays so that a new
    one never fails an emulator test that merely collects it (about 20 ms a test)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    """A private emulator with fast jobs and a rate limit no test reaches by accident."""
    with Emulator(
        api_key="pk_test_emulator_suite", job_seconds=FAST_JOBS, seed=7, rate_limit=NO_RATE_LIMIT
    ) as e:
        yield e


@pytest.fixture
def new_account(emu: Emulator) -> Callable[..., str]:
    """Make a fresh isolated account on `emu` and return its key."""

    def make(plan: str = "pro", credits: int = 1_000_000) -> str:
        key = "pk_test_" + secrets.token_hex(8)
        emu.add_account(key, plan=plan, credits=credits)
        return key

    return make
