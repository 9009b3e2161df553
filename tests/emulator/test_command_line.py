"""`python -m productai_notebook.emulator` as a user runs it from a terminal."""

from __future__ import annotations

import socket
import subprocess
import sys


def test_a_busy_port_is_one_line_and_exit_code_1():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "productai_notebook.emulator", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr.strip() == f"port {port} is in use; pass --port 0 for a free one"
    assert "Traceback" not in done.stdout + done.stderr
