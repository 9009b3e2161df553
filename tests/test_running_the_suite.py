"""How a contributor runs the tests: the suite does not depend on its optional plugins."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).parent


def test_the_tests_run_in_one_process_without_pytest_xdist() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:xdist", "-p", "no:cacheprovider", "-q",
         str(TESTS / "api" / "test_api_models.py")],
        cwd=TESTS.parent, capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "INTERNALERROR" not in run.stdout + run.stderr
