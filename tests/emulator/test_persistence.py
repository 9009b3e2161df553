"""The command line emulator on SQLite: killed with -9 mid-jobs, restarted, nothing lost."""

from __future__ import annotations

import os
import re
import select
import signal
import subprocess
import sys
import time

import httpx

from .helpers import create_job, wait_for_status

KEY = "pk_test_persistent"


def start(db, *extra: str) -> tuple[subprocess.Popen, str]:
    """Run `python -m productai_notebook.emulator` and read the base URL it prints."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "productai_notebook.emulator",
            "--db",
            str(db),
            "--port",
            "0",
            "--api-key",
            KEY,
            "--job-seconds",
            "3:5",
            "--seed",
            "3",
            "--rate-limit",
            "100000",
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            line = process.stdout.readline()
            match = re.search(r"(http://\S+/v1)", line)
            if match:
                assert KEY in line  # the user is told which key to use
                return process, match.group(1)
        if process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the emulator did not start: {process.stderr.read()}")


def client(base_url: str) -> httpx.Client:
    return httpx.Client(base_url=base_url + "/", headers={"Authorization": f"Bearer {KEY}"}, timeout=30)


def test_jobs_survive_kill_9_and_finish_after_a_restart(tmp_path):
    db = tmp_path / "emulator.sqlite3"
    first, url = start(db)
    try:
        with client(url) as http:
            ids = [create_job(http, prompt=f"lamp {n}")["job_id"] for n in range(5)]
            credits_before_kill = http.get("me").json()["credits"]["generations"]
            running = [http.get(f"jobs/{i}").json()["status"] for i in ids]
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=30)  # waits, and closes the pipes
    assert set(running) <= {"pending", "processing"}

    second, url = start(db)
    try:
        with client(url) as http:
            listed = http.get("jobs").json()
            assert sorted(j["job_id"] for j in listed["jobs"]) == sorted(ids)
            assert http.get("me").json()["credits"]["generations"] == credits_before_kill
            for job_id in ids:
                job = wait_for_status(http, job_id, ("completed",))
                assert job["images"][0]["url"].startswith(url.removesuffix("/v1"))
            assert httpx.get(job["images"][0]["url"], timeout=30).status_code == 200
    finally:
        second.send_signal(signal.SIGTERM)
        out, _ = second.communicate(timeout=30)
    assert second.returncode == 0 and "stopped" in out


def test_the_command_line_explains_its_options():
    result = subprocess.run(
        [sys.executable, "-m", "productai_notebook.emulator", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ},
    )
    assert result.returncode == 0
    for option in (
        "--db",
        "--memory",
        "--plan",
        "--job-seconds",
        "--rate-limit",
        "--faults",
        "--webhook-secret",
        "--seed",
        "--api-key",
        "--port",
        "--host",
    ):
        assert option in result.stdout


def test_a_bad_option_is_one_clear_line():
    result = subprocess.run(
        [sys.executable, "-m", "productai_notebook.emulator", "--faults", "boom:1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr and "boom" in result.stderr
