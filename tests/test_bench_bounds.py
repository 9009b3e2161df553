"""The batches bench's two bounds, on made-up times: what the limit allows, and what it allows while the
user's reserve is kept (the pacer's own rule), so a widgets run slower than the first is read right."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from productai_notebook.api.engine.pacing import USER_CALL_SECONDS

_spec = importlib.util.spec_from_file_location(
    "bench_batches", Path(__file__).resolve().parents[1] / "bench" / "bench_batches.py"
)
assert _spec is not None and _spec.loader is not None
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_when_creates_and_reads_fill_the_window_the_last_reads_wait_for_the_reserve_to_come_back_soon():
    # 30 jobs at 60 a 20 s window: 30 creates at 0, every job ended by 10 s
    ends = [3.0 + 7.0 * i / 29 for i in range(30)]
    limit_allows = bench.sliding_window_bound([0.0] * 30 + ends, 60, 20.0)
    reserve_kept = bench.reserve_kept_bound(30, ends, 60, 20.0)
    assert limit_allows == pytest.approx(10.0), "the limit alone lets every read go at its job's end"
    # the 6 slots kept for your calls go to the last reads only once the creates free them within seconds
    assert reserve_kept == pytest.approx(20.0 - USER_CALL_SECONDS)


def test_with_room_in_the_window_keeping_the_reserve_costs_nothing():
    ends = [3.0 + 7.0 * i / 9 for i in range(10)]
    assert bench.reserve_kept_bound(10, ends, 60, 20.0) == pytest.approx(
        bench.sliding_window_bound([0.0] * 10 + ends, 60, 20.0)
    )
