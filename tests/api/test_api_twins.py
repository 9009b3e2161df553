"""The blocking and the asyncio twins stay one API: the generated ones current, the hand-written ones alike.

Where the twins differ only by `async`/`await`, the blocking side is generated from the asyncio one
(scripts/unasync.py); a generated file edited by hand, or a source edited without generating again,
fails here. Where they differ by design (the clients' sending), each public method of one
has its twin in the other, with the same signature and the same docstring once the names are
matched (`AsyncJob` is `Job`, ...), so a user reading either side's help reads the same promise.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

from productai_notebook.api import AsyncBatch, AsyncJob, AsyncProductAI, Batch, Job, ProductAI
from productai_notebook.api.resources import (
    Assets,
    AsyncAssets,
    AsyncJobs,
    Jobs,
    download,
    download_async,
)

ROOT = Path(__file__).resolve().parents[2]
TWINS = [
    (ProductAI, AsyncProductAI), (Job, AsyncJob), (Jobs, AsyncJobs), (Assets, AsyncAssets),
    (Batch, AsyncBatch),
]
#: public names only one side has, by design: httpx's name for the asyncio close, and an asyncio
#: client's blocking twin (a blocking client needs none)
ONE_SIDED = {"aclose", "blocking"}
#: private methods that differ by design and must still promise the same (the clients' request loop)
COMPARED_PRIVATE = {"_send", "_call"}
SAME_NAME = [
    ("AsyncProductAI", "ProductAI"), ("AsyncJobs", "Jobs"), ("AsyncJob", "Job"), ("AsyncAssets", "Assets"),
    ("AsyncBatch", "Batch"), ("AsyncIterator", "Iterator"), ("AsyncClient", "Client"),
    ("download_async", "download"),
]


def as_blocking(text: str) -> str:
    for asyncio_name, blocking_name in SAME_NAME:
        text = re.sub(rf"\b{asyncio_name}\b", blocking_name, text)
    return text


def public(cls: type) -> set[str]:
    return {name for name in dir(cls) if not name.startswith("_") or name in COMPARED_PRIVATE}


def test_the_generated_blocking_files_are_what_their_asyncio_sources_make():
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "unasync.py"), "--check"],
        capture_output=True, text=True, timeout=120,
    )
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize(("blocking", "asyncio_twin"), TWINS, ids=lambda cls: cls.__name__)
def test_hand_written_twins_have_the_same_methods_signatures_and_docstrings(blocking, asyncio_twin):
    assert public(blocking) - ONE_SIDED == public(asyncio_twin) - ONE_SIDED
    made = as_blocking(str(inspect.signature(asyncio_twin.__init__)))
    assert made == str(inspect.signature(blocking.__init__)), "the constructors take the same arguments"
    for name in sorted(public(blocking) - ONE_SIDED):
        one, other = getattr(blocking, name), getattr(asyncio_twin, name)
        if one is other or not callable(one):
            continue  # shared by both (a common base), or a plain attribute
        where = f"{blocking.__name__}.{name}"
        assert as_blocking(str(inspect.signature(other))) == str(inspect.signature(one)), where
        assert inspect.getdoc(one), f"{where} has no docstring"
        assert as_blocking(inspect.getdoc(other) or "") == inspect.getdoc(one), f"{where}: docstrings differ"


def test_the_download_functions_are_twins():
    assert as_blocking(str(inspect.signature(download_async))) == str(inspect.signature(download))
    assert inspect.getdoc(download_async) == inspect.getdoc(download)
