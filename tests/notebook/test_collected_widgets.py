"""A widget the garbage collector finds is closed without waiting on any lock of the thread it runs on."""

from __future__ import annotations

import gc
import threading
import weakref

from notebook_waits import wait_until

from productai_notebook.api import ProductAI
from productai_notebook.api.engine.tracker import Tracker
from productai_notebook.notebook import _collected
from productai_notebook.notebook.job_view import JobView


def test_a_view_collected_inside_the_trackers_lock_does_not_hang_that_thread(client: ProductAI) -> None:
    # as found in a run: the collector finalized a closed view inside Driver.follow, and its
    # `__del__` (ipywidgets closes there) waited for the lock its own thread held
    tracker = Tracker(min_interval=0.02, max_interval=0.1)
    try:
        job = client.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt="a")
        views = [JobView.for_job(job, tracker=tracker)]
        views[0].close()
        collected = weakref.ref(views[0])
        lock = tracker.driver_for(job).lock  # the one Driver.follow holds
        finished = threading.Event()

        def collect_while_holding_the_lock() -> None:
            with lock:
                views.clear()  # the last reference
                gc.collect()
            finished.set()

        threading.Thread(target=collect_while_holding_the_lock, daemon=True).start()
        assert finished.wait(10), "finalizing a view waited for a lock its own thread held"
        assert collected() is None  # (it was finalized there indeed)
    finally:
        tracker.close()


def test_an_open_view_finalized_inside_the_trackers_lock_is_closed_afterwards(client: ProductAI) -> None:
    # ipywidgets keeps open widgets alive, so the collector finalizes one only where a host holds
    # them weakly; called by hand here, as the collector would, on a thread holding the lock
    tracker = Tracker(min_interval=0.02, max_interval=0.1)
    try:
        job = client.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt="a")
        view = JobView.for_job(job, tracker=tracker)
        finished = threading.Event()

        def finalize_while_holding_the_lock() -> None:
            with tracker.driver_for(job).lock:
                view.__del__()
            finished.set()

        threading.Thread(target=finalize_while_holding_the_lock, daemon=True).start()
        assert finished.wait(10), "finalizing a view waited for a lock its own thread held"
        wait_until(lambda: view.comm is None, "the closer thread to close the view")
    finally:
        tracker.close()


def test_a_widget_queued_from_a_finalizer_is_closed_by_a_thread_of_its_own() -> None:
    closed_on: list[str] = []
    done = threading.Event()

    class Collected:
        def close(self) -> None:
            closed_on.append(threading.current_thread().name)
            done.set()

    _collected.start_closer()
    _collected.close_later(Collected())
    assert done.wait(10)
    assert closed_on == ["productai-closer"]
