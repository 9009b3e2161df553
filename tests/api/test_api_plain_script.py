"""The client works in a plain script: no IPython, no ipywidgets."""

from __future__ import annotations

import subprocess
import sys
import textwrap


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
