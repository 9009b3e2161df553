"""The blocking clients' background pool: a few threads however many requests wait, errors handed on."""

from __future__ import annotations

import threading

import pytest

from productai_notebook.api import APIConnectionError
from productai_notebook.api.engine.pool import BackgroundPool

DEADLINE = 30  # the bound of a hang, never a measure


def test_many_calls_share_a_few_threads_and_each_gets_its_own_answer():
    pool = BackgroundPool(size=3)
    release = threading.Event()
    ran_on: set[int] = set()

    def call(n: int) -> int:
        ran_on.add(threading.get_ident())
        assert release.wait(DEADLINE)
        return n * n

    futures = [pool.submit(lambda n=n: call(n)) for n in range(12)]
    assert pool.threads == 3, "three at most, while twelve calls wait"
    release.set()
    assert [future.result(DEADLINE) for future in futures] == [n * n for n in range(12)]
    assert len(ran_on) <= 3 and pool.threads == 3


def test_an_error_reaches_whoever_awaits_the_call_and_the_pool_goes_on():
    pool = BackgroundPool(size=1)

    def refused() -> None:
        raise APIConnectionError("unreachable")

    with pytest.raises(APIConnectionError, match="unreachable"):
        pool.submit(refused).result(DEADLINE)
    assert pool.submit(lambda: "next").result(DEADLINE) == "next"


def test_a_pool_needs_a_thread():
    with pytest.raises(ValueError, match="at least one"):
        BackgroundPool(size=0)
