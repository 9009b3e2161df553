"""Threads: following many displayed jobs starts a handful in all, never one per job, update or view."""

from __future__ import annotations

import threading
from collections import Counter

import IPython.display
from notebook_waits import wait_until

from productai_notebook import JobView
from productai_notebook.api.engine.pool import POOL_SIZE

JOBS = 20
# the tracker's, the timers', the widget closer's and the image pool's three, once per process;
# the blocking client's background requests' pool, once per account
HANDFUL = 6 + POOL_SIZE


def test_following_twenty_displayed_jobs_to_their_end_starts_a_handful_of_threads(
    account, process_tracker, monkeypatch
):
    started: list[str] = []
    start = threading.Thread.start

    def counted(thread: threading.Thread) -> None:
        # the in-process emulator's own threads are the server's, not the notebook's
        if not threading.current_thread().name.startswith("productai-emulator"):
            started.append(thread.name)
        start(thread)

    monkeypatch.setattr(threading.Thread, "start", counted)
    monkeypatch.setattr(IPython.display, "display", lambda *args, **kwargs: None)
    monkeypatch.setattr(IPython.display, "update_display", lambda *args, **kwargs: None)
    jobs = [account.generate(model="nanobanana2", image_url="https://example.com/a.png", prompt=f"vase {n}")
            for n in range(JOBS)]
    views = [JobView.for_job(job) for job in jobs]
    for view in views:
        view._ipython_display_()
    wait_until(lambda: all(view.job.get("status") == "completed" and view.thumbnails for view in views),
               "every view to show its job's end with its thumbnail")
    for view in views:
        view.close()
    threads = Counter(started)
    print(threads)
    assert sum(threads.values()) <= HANDFUL, threads
