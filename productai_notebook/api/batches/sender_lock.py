"""Who may send a batch's creates: one worker at a time, in any process.

An advisory lock on `<name>.json.lock`, taken without waiting: `fcntl.flock` on POSIX,
`msvcrt.locking` on Windows. Both are freed by the system when their process dies, even killed,
so a batch is never left unsendable. The systems differ only in `PosixLocking` and
`WindowsLocking`; `SenderLock` is the same on both.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import IO, Any


class PosixLocking:
    """`flock` on the whole file."""

    @staticmethod
    def lock(file: IO[Any]) -> None:
        """Take it without waiting; OSError when another holds it."""
        import fcntl

        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)

    @staticmethod
    def unlock(file: IO[Any]) -> None:
        import fcntl

        fcntl.flock(file, fcntl.LOCK_UN)


class WindowsLocking:
    """`msvcrt.locking` on the file's first byte (it locks bytes from the file's position)."""

    @staticmethod
    def lock(file: IO[Any]) -> None:
        """Take it without waiting; OSError when another holds it."""
        msvcrt = importlib.import_module("msvcrt")
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)

    @staticmethod
    def unlock(file: IO[Any]) -> None:
        msvcrt = importlib.import_module("msvcrt")
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)


LOCKING: type[PosixLocking] | type[WindowsLocking] = (
    WindowsLocking if sys.platform == "win32" else PosixLocking
)


class SenderLock:
    """The lock of the batch whose manifest is `path`: `acquire()` never waits, `release()` frees it."""

    def __init__(self, path: Path) -> None:
        self.path = path.with_name(path.name + ".lock")
        self._file: IO[Any] | None = None

    @property
    def held(self) -> bool:
        return self._file is not None

    def acquire(self) -> bool:
        """Take it if free; True when this worker holds it."""
        if self._file is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        file = self.path.open("a+b")
        try:
            LOCKING.lock(file)
        except OSError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            try:
                LOCKING.unlock(file)
            finally:
                file.close()
