"""One worker at a time sends a batch's creates, on POSIX and on Windows (`msvcrt`, played here by a
stand-in with Windows' rules: a byte range locked per file handle, refused to any other handle)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import types
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from productai_notebook.api import ProductAI
from productai_notebook.api.batches import sender_lock
from productai_notebook.api.batches.sender_lock import SenderLock
from productai_notebook.emulator import Emulator

AXES = {"inputs": "https://example.com/mug.jpg", "prompts": ["on marble", "on oak"], "models": ["seedream"]}


class StandInMsvcrt(types.ModuleType):
    """`msvcrt.locking` as Windows does it: `nbytes` from the handle's position, per handle."""

    LK_UNLCK, LK_NBLCK = 0, 2

    def __init__(self) -> None:
        super().__init__("msvcrt")
        self.calls: list[tuple[int, int, int]] = []  # (mode, position, nbytes)
        self._held: dict[tuple[int, int, int], int] = {}  # (device, inode, position) -> fd
        self._guard = threading.Lock()

    def locking(self, fd: int, mode: int, nbytes: int) -> None:
        position = os.lseek(fd, 0, os.SEEK_CUR)
        stat = os.fstat(fd)
        where = (stat.st_dev, stat.st_ino, position)
        with self._guard:
            self.calls.append((mode, position, nbytes))
            if mode == self.LK_NBLCK:
                if where in self._held:
                    raise PermissionError(13, "Permission denied")
                self._held[where] = fd
            elif mode == self.LK_UNLCK:
                if self._held.get(where) != fd:
                    raise PermissionError(13, "Permission denied")  # (not locked by this handle)
                del self._held[where]


@pytest.fixture(params=["posix", "windows"])
def system(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[StandInMsvcrt | None]:
    if request.param == "posix":
        yield None
        return
    msvcrt = StandInMsvcrt()
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    monkeypatch.setattr(sender_lock, "LOCKING", sender_lock.WindowsLocking)
    yield msvcrt


def test_a_second_worker_cannot_take_the_lock_until_the_first_lets_go(
    tmp_path: Path, system: StandInMsvcrt | None
) -> None:
    first, second = SenderLock(tmp_path / "mugs.json"), SenderLock(tmp_path / "mugs.json")
    assert first.acquire() and first.held
    assert not second.acquire() and not second.held
    first.release()
    assert not first.held
    assert second.acquire()
    second.release()
    if system is not None:  # the first byte, locked and unlocked by the handle that holds it
        lock, unlock = (system.LK_NBLCK, 0, 1), (system.LK_UNLCK, 0, 1)
        assert system.calls == [lock, lock, unlock, lock, unlock]


def test_a_batch_sends_nothing_while_another_worker_holds_it(
    emulator: Emulator, tmp_path: Path, system: StandInMsvcrt | None
) -> None:
    key = f"pk_test_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="enterprise", credits=10_000)
    elsewhere = SenderLock(tmp_path / "mugs.json")
    assert elsewhere.acquire()
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        batch = client.batch(**AXES, name="mugs", batch_dir=tmp_path)
        time.sleep(1.5)  # (its worker tried, and follows the manifest instead)
        assert emulator.requests(key)["routes"].get("generate", 0) == 0
        elsewhere.release()
        assert [job.status for job in batch.wait(timeout=60)] == ["completed"] * 2
    assert emulator.requests(key)["routes"]["generate"] == 2


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from productai_notebook.api.batches.sender_lock import SenderLock

    lock = SenderLock(Path(sys.argv[1]))
    assert lock.acquire()
    print("held", flush=True)
    time.sleep(60)
    """
)


def test_the_lock_of_a_killed_process_is_free_again(tmp_path: Path) -> None:
    path = tmp_path / "mugs.json"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        mine = SenderLock(path)
        assert not mine.acquire()
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait(timeout=30)
        assert mine.acquire()
        mine.release()
    finally:
        holder.kill()
        holder.communicate(timeout=30)  # waits, and closes the pipe
