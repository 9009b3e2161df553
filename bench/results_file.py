"""Where a benchmark's figures go: a JSON file under bench/results/, with when and on how many cores."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


def write_results(path: Path, figures: dict[str, Any]) -> dict[str, Any]:
    """`figures` after the date and the core count, written to `path` and printed on one line."""
    results = {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        **figures,
    }
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(results, indent=2) + "\n")
    print(f"{path.stem}: {json.dumps(results)}")
    return results
