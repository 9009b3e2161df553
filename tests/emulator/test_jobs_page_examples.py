"""The Jobs page's curl, Python and JavaScript examples, run unchanged but for host, key and job id."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess

import pytest

from .helpers import api, create_job

DOCS_HOST = "https://api.productai.photo/v1"

# Verbatim from the Jobs page.
PYTHON_EXAMPLE = """
import requests
import time

def wait_for_job(job_id, api_key, timeout=120):
    url = f"https://api.productai.photo/v1/jobs/{job_id}"
    headers = {"Authorization": f"Bearer {api_key}"}

    start = time.time()
    while time.time() - start < timeout:
        response = requests.get(url, headers=headers)
        job = response.json()

        if job["status"] == "completed":
            return job["images"]
        elif job["status"] == "failed":
            raise Exception(job["error"]["message"])

        time.sleep(3)

    raise TimeoutError("Job did not complete in time")

# Usage
images = wait_for_job("job_abc123xyz", "YOUR_API_KEY")
for img in images:
    print(img["url"])
"""

JAVASCRIPT_EXAMPLE = """
async function waitForJob(jobId, apiKey, timeout = 120000) {
  const url = `https://api.productai.photo/v1/jobs/${jobId}`;
  const start = Date.now();

  while (Date.now() - start < timeout) {
    const response = await fetch(url, {
      headers: { "Authorization": `Bearer ${apiKey}` }
    });
    const job = await response.json();

    if (job.status === "completed") return job.images;
    if (job.status === "failed") throw new Error(job.error.message);

    await new Promise(r => setTimeout(r, 3000));
  }
  throw new Error("Job timed out");
}

// Usage
const images = await waitForJob("job_abc123xyz", "YOUR_API_KEY");
images.forEach(img => console.log(img.url));
"""

CURL_GET_EXAMPLE = '''curl "https://api.productai.photo/v1/jobs/job_abc123xyz" \\
  -H "Authorization: Bearer YOUR_API_KEY"'''

CURL_LIST_EXAMPLE = '''curl "https://api.productai.photo/v1/jobs?limit=10&status=completed" \\
  -H "Authorization: Bearer YOUR_API_KEY"'''


def swapped(example: str, emu, job_id: str = "job_abc123xyz") -> str:
    return (
        example.replace(DOCS_HOST, emu.base_url)
        .replace("YOUR_API_KEY", emu.api_key)
        .replace("job_abc123xyz", job_id)
    )


def test_the_python_and_javascript_examples_wait_for_the_images(emu, tmp_path):
    with api(emu) as http:
        python_job = create_job(http, num_images=2)["job_id"]
        js_job = create_job(http, num_images=3)["job_id"]
    script = tmp_path / "wait.mjs"
    script.write_text(swapped(JAVASCRIPT_EXAMPLE, emu, js_job))
    node = (
        subprocess.Popen(["node", str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if shutil.which("node")
        else None
    )
    try:
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(swapped(PYTHON_EXAMPLE, emu, python_job), {})  # noqa: S102 (the page's own code)
        urls = printed.getvalue().split()
        assert urls == [f"{emu.origin}/files/{python_job}/{n}.jpg" for n in (1, 2)]
        if node is None:
            pytest.skip("node is not installed: the JavaScript example was not run")
        out, err = node.communicate(timeout=60)
        assert node.returncode == 0, err
        assert out.split() == [f"{emu.origin}/files/{js_job}/{n}.jpg" for n in (1, 2, 3)]
    finally:
        if node is not None and node.poll() is None:
            node.kill()


def test_the_python_example_raises_the_failure_message(emu):
    with api(emu) as http:
        job_id = create_job(http, prompt="a chair #fail")["job_id"]
    with pytest.raises(Exception, match="Unable to process the input image"):
        exec(swapped(PYTHON_EXAMPLE, emu, job_id), {})  # noqa: S102


@pytest.mark.skipif(not shutil.which("curl"), reason="curl is not installed")
def test_the_curl_examples_answer_like_the_page(emu):
    with api(emu) as http:
        job_id = create_job(http)["job_id"]
    job = json.loads(
        subprocess.run(
            ["bash", "-c", swapped(CURL_GET_EXAMPLE, emu, job_id)],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    )
    assert job["job_id"] == job_id and job["status"] in ("pending", "processing", "completed")
    page = json.loads(
        subprocess.run(
            ["bash", "-c", swapped(CURL_LIST_EXAMPLE, emu)], capture_output=True, check=True, timeout=60
        ).stdout
    )
    assert page["limit"] == 10 and all(j["status"] == "completed" for j in page["jobs"])
