"""The client works in a plain script: no IPython, no ipywidgets."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from productai_notebook.emulator import Emulator


def test_importing_and_using_the_client_loads_no_notebook_machinery() -> None:
    script = textwrap.dedent(
        """
        import sys
        from productai_notebook.api import ProductAI, JobState
        with ProductAI(api_key="pk_plain", base_url="http://127.0.0.1:9/v1") as client:
            JobState.parse({"job_id": "job_1", "status": "pending"})
            repr(client)
        loaded = sorted(m for m in ("IPython", "ipywidgets", "anywidget", "traitlets") if m in sys.modules)
        print(",".join(loaded) or "none")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"


def test_a_plain_script_generates_waits_and_downloads(emulator: Emulator, api_key: str, tmp_path) -> None:
    script = textwrap.dedent(
        """
        import sys
        from productai_notebook.api import ProductAI
        with ProductAI() as client:  # key and URL from the environment, as a script would have them
            job = client.generate(model="seedream", image_url="https://example.com/p.png",
                                  prompt="on slate", num_images=2)
            job.wait(timeout=60, poll_interval=0.1)
            paths = job.download(sys.argv[1])
        assert "IPython" not in sys.modules and "ipywidgets" not in sys.modules
        print(job.status, len(job.images), len(paths))
        """
    )
    env = {**os.environ, "PRODUCTAI_API_KEY": api_key, "PRODUCTAI_BASE_URL": emulator.base_url}
    result = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["completed", "2", "2"]
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".jpg", ".jpg"]
