"""The sandbox survives a kernel restart: a new kernel's sandbox serves the old jobs and their images."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

FIRST_KERNEL = textwrap.dedent(
    """
    import json
    import productai_notebook as pai

    client = pai.sandbox()
    batch = client.batch(inputs="https://example.com/mug.jpg", prompts=["on oak", "on slate"],
                         models="seedream", name="mugs").wait(timeout=60)
    batch.jobs[1].pick(0)
    print(json.dumps({"ids": [job.id for job in batch], "url": batch.jobs[0].images[0].url,
                      "base_url": client.base_url}))
    """
)

NEXT_KERNEL = textwrap.dedent(
    """
    import json
    import productai_notebook as pai
    from productai_notebook.api import fetch_image

    client = pai.sandbox()
    batch = pai.Batch.open("mugs", client).wait(timeout=60)
    old = json.loads(input())
    print(json.dumps({
        "ids": [job.id for job in batch], "statuses": [job.status for job in batch],
        "winners": [job.id for job, _ in batch.winners], "base_url": client.base_url,
        "new_url_bytes": len(fetch_image(client, batch.jobs[0].images[0].url).content),
        "old_url_bytes": len(fetch_image(client, old["url"]).content) if old["port_free"] else None,
    }))
    """
)


def run(code: str, folder: Path, stdin: str = "") -> dict:
    env = {**os.environ, "PRODUCTAI_THUMBNAILS": "0"}
    env.pop("PRODUCTAI_SANDBOX_DB", None)
    env.pop("PRODUCTAI_API_KEY", None)
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=folder, env=env, input=stdin, capture_output=True, text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_a_new_kernels_sandbox_serves_the_old_jobs_their_images_and_batches(tmp_path: Path) -> None:
    before = run(FIRST_KERNEL, tmp_path)
    assert (tmp_path / ".productai" / "sandbox.sqlite3").exists()
    assert (tmp_path / ".productai" / "batches" / "mugs.json").exists()

    after = run(NEXT_KERNEL, tmp_path, json.dumps({"url": before["url"], "port_free": True}) + "\n")

    assert after["ids"] == before["ids"]  # re-attached: nothing made again
    assert after["statuses"] == ["completed", "completed"]
    assert after["winners"] == [before["ids"][1]]
    assert after["new_url_bytes"] > 1000
    # the sandbox took its old port again: the URLs the first kernel saw (and saved) still load
    assert after["base_url"] == before["base_url"] and after["old_url_bytes"] > 1000


def test_when_its_old_port_is_taken_the_images_load_from_the_new_one(tmp_path: Path) -> None:
    before = run(FIRST_KERNEL, tmp_path)
    port = int(before["base_url"].rsplit(":", 1)[1].split("/")[0])
    with socket.socket() as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # (the old connections linger)
        taken.bind(("127.0.0.1", port))
        taken.listen()
        after = run(NEXT_KERNEL, tmp_path, json.dumps({"url": before["url"], "port_free": False}) + "\n")
    assert after["base_url"] != before["base_url"]
    assert after["statuses"] == ["completed", "completed"] and after["new_url_bytes"] > 1000
