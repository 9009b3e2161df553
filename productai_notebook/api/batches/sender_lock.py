"""Who may send a batch's creates: one worker at a time, in any process.

An advisory lock on `<name>.json.lock`, taken without waiting: `fcntl.flock` on POSIX,
`msvcrt.locking` on Windows. Both are freed by the system when their process dies, even killed,
so a batch is never left unsendable. The two systems differ only in `_lock` and `_unlock`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

if sys.platform == "win32":  # pragma: no cover (run on Windows)
    import msvcrt

    def _lock(file: IO[Any]) -> None:
        file.seek(0)  # (msvcrt locks bytes from the position: always the first one)
        msvcrt.locking(file.fileno(), msvcrt.LK_NBLCK, 1)  # OSError when another holds it

    def _unlock(file: IO[Any]) -> None:
        file.seek(0)
        msvcrt.locking(file.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(file: IO[Any]) -> None:
        fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)  # OSError when another holds it

    def _unlock(file: IO[Any]) -> None:
        fcntl.flock(file, fcntl.LOCK_UN)


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
            _lock(file)
        except OSError:
            file.close()
            return False
        self._file = file
        return True

    def release(self) -> None:
        if self._file is not None:
            file, self._file = self._file, None
            try:
                _unlock(file)
            finally:
                file.close()
