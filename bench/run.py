"""Run every benchmark of this folder (each `bench_*.py` with a `main()`) and write bench/results/*.json.

    .venv/bin/python bench/run.py            # all of them (`make bench`)
    .venv/bin/python bench/run.py widgets    # only bench_widgets.py

Figures are written, never asserted: see bench/README.md for what each one means.
"""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def benchmarks(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if names:
        found = [path for path in found if path.stem.removeprefix("bench_") in names]
    return found


def run(path: Path) -> None:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    start = time.perf_counter()
    module.main()
    print(f"{path.name}: done in {time.perf_counter() - start:.1f}s")


def main(names: list[str]) -> None:
    paths = benchmarks(names)
    if not paths:
        sys.exit(f"no benchmark matches {names}; there are: {[p.stem for p in benchmarks([])]}")
    (HERE / "results").mkdir(exist_ok=True)
    for path in paths:
        run(path)


if __name__ == "__main__":
    main(sys.argv[1:])
