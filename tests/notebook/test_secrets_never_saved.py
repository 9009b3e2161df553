"""A server that echoes the key: a notebook run against it and saved holds the key nowhere.

Not in the widget state, the static HTML, the magic's output or the printed errors.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from productai_notebook.contract import API_KEY_ENV

KEY = "pk_test_CANARY_saved_0cc175b9c0f1b6a831c399e269772661"

# A scripted server inside the kernel: every text it sends quotes the Authorization header it got
# and the key in it. The key comes from the environment, as a user's would: the cells never hold it.
SERVER = '''
import json, httpx
import productai_notebook as pai

def server(request):
    sent = request.headers["authorization"]
    echo = f"you sent Authorization: {sent}; key {sent.split()[-1]}"
    path = request.url.path.removeprefix("/v1/")
    job = {"job_id": "job_echo", "status": "failed", "model": f"nanobanana2 {echo}", "num_images": 1,
           "created_at": "2024-01-15T10:30:00Z", "failed_at": "2024-01-15T10:30:09Z",
           "error": {"code": "generation_failed", "message": echo}, "debug": echo}
    account = {"id": "u", "email": f"{sent.split()[-1]}@example.com", "plan": echo, "credits": {}}
    bodies = {"jobs/job_echo": (200, job), "me": (200, account)}
    status, body = bodies.get(path, (500, {"error": {"code": "internal_error", "message": echo}}))
    return httpx.Response(status, content=json.dumps(body).encode())

client = pai.use(pai.ProductAI(base_url="https://api.example.test/v1", max_retries=0,
                               http_client=httpx.Client(transport=httpx.MockTransport(server))))
'''
CELLS = [
    SERVER + "%load_ext productai_notebook",
    'job = client.jobs.get("job_echo")\njob',
    "%productai job job_echo",
    "%productai me",
    "%productai wait job_echo",
    "try:\n    job.wait()\nexcept pai.JobFailedError as error:\n    print(error, repr(error), error.message)",
    "%productai job job_other",
]


def test_a_saved_notebook_run_against_an_echoing_server_holds_no_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(API_KEY_ENV, KEY)  # the kernel inherits it
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS])
    NotebookClient(notebook, kernel_name="python3", timeout=60, startup_timeout=120, allow_errors=True,
                   resources={"metadata": {"path": str(tmp_path)}}).execute()
    saved = tmp_path / "echo.ipynb"
    nbformat.write(notebook, saved)
    text = saved.read_text()
    outputs = [output for cell in notebook.cells for output in cell.outputs]
    assert not any(output.get("ename") not in (None, "UsageError") for output in outputs), outputs
    assert "JobView" in text and "%productai job: 500 internal_error" in text
    # the echo did reach the user, redacted: in the widget state, the static HTML and the prints
    assert text.count("Bearer [redacted]") >= 5
    assert KEY not in text
    widgets = notebook.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"].values()
    views = [w["state"] for w in widgets if w["state"].get("_anywidget_id", "").endswith(".JobView")]
    assert views and all("Bearer [redacted]" in view["job"]["error"]["message"] for view in views)
    assert json.loads(text)  # a whole, valid notebook
