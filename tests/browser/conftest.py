"""Browser fixtures: one JupyterLab and one headless Chromium per session, a fresh page per test.

Without /usr/bin/chromium the browser tests skip, unless PRODUCTAI_REQUIRE_BROWSER=1 (CI), where
a missing browser is a failure. A failing test leaves a screenshot; its path is in the report.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_harness import CHROMIUM, CONSOLE, JupyterServer, chromium, jupyter_server, new_page
from playwright.sync_api import Browser, Page

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
_screenshots: list[Path] = []  # the folder of this session's failure screenshots, made on the first failure
_labs: list[JupyterServer] = []  # this worker's JupyterLab, once a test has started it


def _screenshot_folder() -> Path:
    if not _screenshots:
        _screenshots.append(Path(tempfile.mkdtemp(prefix="pai-browser-failures-")))
    return _screenshots[0]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: apt-get install chromium fonts-liberation"
        if os.environ.get("PRODUCTAI_REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def lab(browser: Browser) -> Iterator[JupyterServer]:
    """JupyterLab over a temporary copy of notebooks/, so no test writes into the repository."""
    with jupyter_server(NOTEBOOKS) as server:
        _labs.append(server)
        yield server
        _labs.remove(server)


@pytest.fixture(autouse=True, scope="module")
def _kernels_shut_down_after_each_module() -> Iterator[None]:
    """A module's kernels end with it (its pages' kernels, each with an emulator and its jobs), so
    the JupyterLab the modules share does not carry every earlier module's kernels on a busy machine."""
    yield
    for server in _labs:
        try:
            server.shut_down_kernels()
        except OSError as error:  # (urllib's errors too) tidying up is no test: the next module says more
            warnings.warn(f"could not shut the module's kernels down: {error}", stacklevel=1)


@pytest.fixture(autouse=True)
def _console_of_this_test_only() -> None:
    CONSOLE.clear()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    p = new_page(browser)
    yield p
    p.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    if CONSOLE:
        report.sections.append(("browser console (warnings and errors)", "\n".join(CONSOLE)))
    pages = [v for v in getattr(item, "funcargs", {}).values() if isinstance(v, Page)]
    pages += [getattr(v, "page", None) for v in getattr(item, "funcargs", {}).values()]
    for n, p in enumerate(x for x in pages if isinstance(x, Page) and not x.is_closed()):
        path = _screenshot_folder() / f"{item.name}-{n}.png"
        try:
            p.screenshot(path=str(path), full_page=True)
        except Exception as error:  # noqa: BLE001  (a broken page must not hide the test's own failure)
            report.sections.append(("screenshot", f"could not save a screenshot: {error}"))
            continue
        report.sections.append(("screenshot", f"saved {path}"))
        print(f"\nscreenshot of the failing page: {path}")
