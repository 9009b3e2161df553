"""How fast the built widgets draw in Chromium: a JobsTable of 10,000 jobs, a Gallery of 400 images.

No Jupyter: bench/widgets_page.html renders the built front end (productai_notebook/static/) against a
fake anywidget model, served with generated JPEGs from a loopback http.server. Each figure is the
median of a few runs, each in a fresh browser context (an empty image cache).
Writes bench/results/widgets.json. `main()` is what bench/run.py calls.
"""

from __future__ import annotations

import io
import shutil
import statistics
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from PIL import Image
from results_file import write_results

REPO = Path(__file__).resolve().parent.parent
STATIC = REPO / "productai_notebook" / "static"
PAGE = Path(__file__).parent / "widgets_page.html"
FAKE_MODEL = REPO / "js" / "tests" / "fake_model.js"
RESULTS = Path(__file__).parent / "results" / "widgets.json"

# The browser tests' Chromium set-up (Debian's binary and its flags), not a second copy of it.
sys.path.insert(0, str(REPO / "tests" / "browser"))
from lab_harness import chromium  # noqa: E402

TABLE_ROWS = 10_000
GALLERY_IMAGES = 400
IMAGE_EDGE = 256
RUNS = 5
PAGE_TIMEOUT_MS = 120_000  # one run, on a loaded 2-core machine
IMAGES_DEADLINE_MS = 60_000


def _write_images(folder: Path, count: int = GALLERY_IMAGES) -> None:
    """`count` distinct JPEGs, so the browser decodes each one instead of reusing a cached picture."""
    for n in range(count):
        shade = (n * 37 % 256, n * 91 % 256, n * 53 % 256)
        picture = Image.new("RGB", (IMAGE_EDGE, IMAGE_EDGE), shade)
        picture.paste((255 - shade[0], 200, 90), (64, 64 + n % 64, 192, 192))
        buffer = io.BytesIO()
        picture.save(buffer, "JPEG", quality=80)
        (folder / f"{n:03d}.jpg").write_bytes(buffer.getvalue())


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (the base class's name)
        pass  # a request line per image would bury the results


class _Server(ThreadingHTTPServer):
    # A page asks for hundreds of images at once, each on its own connection (HTTP/1.0): a listen
    # queue of the default 5 drops connections, which the browser retries only seconds later.
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A closing browser context drops the image loads still in flight: that is no error here.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def site(write_images: Callable[[Path], None] = _write_images) -> Iterator[str]:
    """The page (as index.html), the built widgets and the images `write_images` puts in its folder
    (as img/NNN.jpg), served on a free loopback port."""
    with tempfile.TemporaryDirectory(prefix="pai-bench-") as tmp:
        root = Path(tmp)
        shutil.copytree(STATIC, root / "static")
        shutil.copy(PAGE, root / "index.html")
        shutil.copy(FAKE_MODEL, root / "fake_model.js")  # the same stand-in model vitest uses
        (root / "img").mkdir()
        write_images(root / "img")
        server = _Server(("127.0.0.1", 0), partial(_QuietHandler, directory=str(root)))
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join(timeout=10)
            server.server_close()


def run_in_page(
    browser: Any, url: str, script: str, arg: Any, network: dict[str, float] | None = None
) -> dict[str, float]:
    """`script(arg)` evaluated in the bench page, in a fresh browser context (an empty image cache);
    `network` (Chromium's emulateNetworkConditions: latency ms, throughput bytes/s) slows the page's
    requests once it has loaded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(PAGE_TIMEOUT_MS)
        page.goto(f"{url}/index.html")
        page.wait_for_function("() => window.benchReady === true")
        if network is not None:
            devtools = context.new_cdp_session(page)
            devtools.send("Network.enable")
            devtools.send("Network.emulateNetworkConditions", {"offline": False, **network})
        return dict(page.evaluate(script, arg))
    finally:
        context.close()


def medians(runs: list[dict[str, float]]) -> dict[str, float]:
    return {key: round(statistics.median(run[key] for run in runs), 1) for key in runs[0]}


def main() -> dict[str, object]:
    if not (STATIC / "jobs_table.js").is_file() or not (STATIC / "gallery.js").is_file():
        sys.exit("The widgets are not built: run `npm run build` first.")
    with site() as url, chromium() as browser:
        table_runs = [
            run_in_page(browser, url, "count => window.benchJobsTable(count)", TABLE_ROWS)
            for _ in range(RUNS)
        ]
        image_urls = [f"{url}/img/{n:03d}.jpg" for n in range(GALLERY_IMAGES)]
        gallery_runs = [
            run_in_page(
                browser,
                url,
                "([urls, deadline]) => window.benchGallery(urls, deadline)",
                [image_urls, IMAGES_DEADLINE_MS],
            )
            for _ in range(RUNS)
        ]
        version = browser.version
    return write_results(RESULTS, {
        "chromium": version,
        "runs": RUNS,
        "jobs_table": {"rows": TABLE_ROWS, **medians(table_runs)},
        "gallery": {"images": GALLERY_IMAGES, "image_edge_px": IMAGE_EDGE, **medians(gallery_runs)},
    })  # fmt: skip

if __name__ == "__main__":
    main()
