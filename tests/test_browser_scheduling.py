"""How `make test` places the tests on its workers: the browser tests begin at once, on a worker of
their own, so the run lasts about as long as they do rather than as long as everything else plus them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent

# Each toy test notes which worker ran it; the others wait (with a deadline) until a browser test
# has begun, so they fail if the browser tests were held back until the rest was done.
RECORD = """
import os
import time
from pathlib import Path

LOG = Path(os.environ["SCHEDULING_LOG"])


def note(kind):
    with LOG.open("a") as log:
        log.write(f"{kind} {os.environ.get('PYTEST_XDIST_WORKER', 'main')}\\n")


def browser_tests_began():
    deadline = time.monotonic() + 30
    while "browser" not in LOG.read_text():
        assert time.monotonic() < deadline, "the browser tests had not begun"
        time.sleep(0.05)
"""

BROWSER_TEST = """
import pytest
from record import note

pytestmark = pytest.mark.browser


def test_one():
    note("browser")


def test_two():
    note("browser")
"""

OTHER_TEST = """
from record import browser_tests_began, note


def test_it():
    note("other")
    browser_tests_began()
"""


def test_the_browser_tests_begin_first_on_a_worker_that_runs_nothing_else(tmp_path: Path) -> None:
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")  # the real scheduling hook
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers = browser: in a browser\n")
    (tmp_path / "tests" / "browser").mkdir(parents=True)
    (tmp_path / "tests" / "record.py").write_text(RECORD)
    (tmp_path / "tests" / "browser" / "test_in_a_browser.py").write_text(BROWSER_TEST)
    for n in range(4):
        (tmp_path / "tests" / f"test_other_{n}.py").write_text(OTHER_TEST)
    log = tmp_path / "log.txt"
    log.touch()
    path = os.pathsep.join([str(TESTS), str(tmp_path / "tests")])  # the scheduler's module, the toy's
    env = dict(os.environ, SCHEDULING_LOG=str(log), PYTHONPATH=path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "2", "--dist", "loadgroup",
         "-p", "no:randomly", "tests"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    lines = [line.split() for line in log.read_text().splitlines()]
    browser_workers = {worker for kind, worker in lines if kind == "browser"}
    other_workers = {worker for kind, worker in lines if kind == "other"}
    assert len([1 for kind, _ in lines if kind == "browser"]) == 2, lines
    assert len(browser_workers) == 1 and not browser_workers & other_workers, lines
