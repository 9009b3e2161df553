"""How `make test` places the tests on its workers: the browser tests begin at once, on two workers
of their own, so the run lasts about as long as they do rather than as long as everything else plus them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent

# Each toy test notes which worker ran it; the others wait (with a deadline) until browser tests have
# begun on two workers, so they fail if the browser tests were held back until the rest was done.
RECORD = """
import os
import time
from pathlib import Path

LOG = Path(os.environ["SCHEDULING_LOG"])


def note(kind):
    with LOG.open("a") as log:
        log.write(f"{kind} {os.environ.get('PYTEST_XDIST_WORKER', 'main')}\\n")


def browser_tests_began_on_two_workers():
    deadline = time.monotonic() + 30
    while len({line.split()[1] for line in LOG.read_text().splitlines() if line.startswith("browser")}) < 2:
        assert time.monotonic() < deadline, "the browser tests had not begun on two workers"
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
from record import browser_tests_began_on_two_workers, note


def test_it():
    note("other")
    browser_tests_began_on_two_workers()
"""


def test_the_browser_tests_begin_first_on_two_workers_that_run_nothing_else_after_them(
    tmp_path: Path,
) -> None:
    shutil.copy(TESTS / "conftest.py", tmp_path / "conftest.py")  # the real scheduling hook
    (tmp_path / "pytest.ini").write_text("[pytest]\nmarkers = browser: in a browser\n")
    (tmp_path / "tests" / "browser").mkdir(parents=True)
    (tmp_path / "tests" / "record.py").write_text(RECORD)
    for n in range(2):
        (tmp_path / "tests" / "browser" / f"test_in_a_browser_{n}.py").write_text(BROWSER_TEST)
    for n in range(3):
        (tmp_path / "tests" / f"test_other_{n}.py").write_text(OTHER_TEST)
    log = tmp_path / "log.txt"
    log.touch()
    path = os.pathsep.join([str(TESTS), str(tmp_path / "tests")])  # the scheduler's module, the toy's
    env = dict(os.environ, SCHEDULING_LOG=str(log), PYTHONPATH=path)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "-n", "5", "--dist", "loadgroup",
         "tests"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=100,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    lines = [line.split() for line in log.read_text().splitlines()]
    assert sorted(kind for kind, _ in lines) == ["browser"] * 4 + ["other"] * 3, lines
    for worker in {worker for _, worker in lines}:
        kinds = [kind for kind, ran_on in lines if ran_on == worker]
        assert "other" not in kinds[kinds.index("browser") :] if "browser" in kinds else True, lines
