"""Generate the blocking twins from the asyncio code, as httpcore does: `_async/` -> `_sync/`.

Where a blocking and an asyncio class differ only by `async`/`await`, the asyncio one is written
by hand and the blocking one generated from it (the `unasync` package: `async`/`await` dropped,
`AsyncX` names turned into their blocking twins). Never edit a `_sync/` file: edit its `_async/`
source and run `make unasync` (or `python scripts/unasync.py`).

    python scripts/unasync.py          # write the generated files
    python scripts/unasync.py --check  # exit 1, naming them, if a generated file is not current
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

# this script is named after the package it uses: look for the package, not this file
sys.path = [entry for entry in sys.path if Path(entry or ".").resolve() != Path(__file__).resolve().parent]
import unasync  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: every folder whose `_async/` files have a generated `_sync/` twin beside them
FOLDERS = [ROOT / "productai_notebook" / "api" / sub for sub in ("resources", "batches", ".")]
#: the names that differ between the twins, beyond unasync's own (`AsyncIterator` and the like)
REPLACEMENTS = {
    "AsyncProductAI": "ProductAI",
    "AsyncJob": "Job",
    "AsyncJobs": "Jobs",
    "AsyncWakeup": "Wakeup",
    "AsyncAssets": "Assets",
    "AsyncClient": "Client",
    "download_async": "download",
    "create_job_async": "create_job",
    "make_batch_async": "make_batch",
    "AsyncBatchWorker": "BatchWorker",
    "pause_async": "pause",
    "AsyncCreateWaits": "CreateWaits",
}
HEADER = "# Generated from ../_async/{name} by scripts/unasync.py: edit that file, not this one.\n"


def generated(folder: Path) -> dict[str, str]:
    """The `_sync/` files `folder/_async/` makes: {file name: source}."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "_async"
        shutil.copytree(folder / "_async", source, ignore=shutil.ignore_patterns("__pycache__"))
        files = sorted(str(path) for path in source.glob("*.py"))
        unasync.unasync_files(files, [unasync.Rule("/_async/", "/_sync/", REPLACEMENTS)])
        return {
            path.name: HEADER.format(name=path.name) + path.read_text(encoding="utf-8")
            for path in sorted((Path(scratch) / "_sync").glob("*.py"))
        }


def stale(folder: Path) -> list[Path]:
    """The generated files of `folder` that are missing, differ from their source's, or have no source."""
    wanted = generated(folder)
    target = folder / "_sync"
    present = {path.name for path in target.glob("*.py")}
    return [
        target / name
        for name in sorted(set(wanted) | present)
        if not (target / name).is_file() or (target / name).read_text(encoding="utf-8") != wanted.get(name)
    ]


def write(folder: Path) -> None:
    target = folder / "_sync"
    target.mkdir(exist_ok=True)
    wanted = generated(folder)
    for path in target.glob("*.py"):
        if path.name not in wanted:
            path.unlink()  # its source is gone
    for name, text in wanted.items():
        (target / name).write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    if "--check" in argv:
        out_of_date = [path for folder in FOLDERS for path in stale(folder)]
        for path in out_of_date:
            print(f"{path.relative_to(ROOT)} is not what its _async/ source makes: run `make unasync`")
        return 1 if out_of_date else 0
    for folder in FOLDERS:
        write(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
