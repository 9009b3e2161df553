"""`%productai` in a real IPython shell: every subcommand, and one clear line for every mistake."""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta, timezone

import pytest
from IPython.core.error import UsageError

from productai_notebook import JobsTable
from productai_notebook.api import Job, ProductAI
from productai_notebook.api.engine.tracker import get_tracker

# `productai_notebook.sandbox` is also the name of a function: reach the module itself.
sandbox_module = importlib.import_module("productai_notebook.sandbox")
IMAGE_URL = "https://example.com/shoe.jpg"


def productai(shell, line: str):
    return shell.run_line_magic("productai", line)


def usage_error(shell, line: str) -> str:
    with pytest.raises(UsageError) as caught:
        productai(shell, line)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- help -------------------------------------------------------------------------------


@pytest.mark.parametrize("line", ["", "--help", "-h", "help"])
def test_help_lists_every_subcommand(shell, capsys, line):
    assert productai(shell, line) is None
    out = capsys.readouterr().out
    for name in ("jobs", "job", "wait", "generate", "me", "budget", "sandbox", "config"):
        assert f"  {name} " in out


@pytest.mark.parametrize("name", ["jobs", "job", "wait", "generate", "me", "budget", "sandbox", "config"])
def test_each_subcommand_prints_its_help_without_exiting(shell, capsys, name):
    assert productai(shell, f"{name} --help") is None
    out = capsys.readouterr().out
    assert out.startswith(f"usage: %productai {name}")


def test_jobs_help_says_model_is_filtered_locally(shell, capsys):
    productai(shell, "jobs --help")
    assert "the API has no model filter" in " ".join(capsys.readouterr().out.split())


# -- bad input: one line each -----------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("bogus", "unknown subcommand 'bogus'; try one of: jobs, job, wait"),
        ("jobs --colour red", "unrecognized arguments: --colour red"),
        ("jobs --limit 0", "--limit: must be between 1 and 100, not 0"),
        ("jobs --limit many", "'many' is not a whole number"),
        ("jobs --offset -1", "--offset: must be 0 or more"),
        ("jobs --status done", "--status: invalid choice: 'done'"),
        ("jobs --since yesterday", "'yesterday' is not an ISO date or time"),
        ("jobs --since 2024-13-45", "'2024-13-45' is not an ISO date or time"),
        ("jobs --model dalle", "--model: invalid choice: 'dalle'"),
        ("jobs --all --offset 20", "argument --offset: not allowed with argument --all"),
        ("job", "the following arguments are required: ID"),
        ("wait", "the following arguments are required: ID"),
        ("wait job_1 --timeout soon", "'soon' is not a number of seconds"),
        ("generate --prompt hi", "one of the arguments --image-url --asset --file is required"),
        (f"generate --image-url {IMAGE_URL}", "the following arguments are required: --prompt"),
        (f"generate --image-url {IMAGE_URL} --prompt hi --num-images 5", "must be between 1 and 4, not 5"),
        (f"generate --image-url {IMAGE_URL} --asset asset_1 --prompt hi", "not allowed with argument"),
        ("me extra", "unrecognized arguments: extra"),
        (f'generate --image-url {IMAGE_URL} --prompt "abc', "unbalanced quote"),
    ],
)
def test_bad_input_is_one_usage_line(shell, with_account, line, expected):
    assert expected in usage_error(shell, line)


def test_unknown_job_id_is_one_line(shell, with_account):
    message = usage_error(shell, "job job_doesnotexist")
    assert message.startswith("%productai job: 404 job_not_found")


def test_no_client_points_to_sandbox_and_the_key(shell):
    for line in ("jobs", "job job_x", "me", "config", f"generate --image-url {IMAGE_URL} --prompt p"):
        message = usage_error(shell, line)
        assert "%productai sandbox" in message
        assert "PRODUCTAI_API_KEY" in message


def test_a_rejected_key_is_one_line_without_the_key(shell, emulator, monkeypatch):
    bad_key = "pk_test_WRONG_0123456789abcdef"
    with ProductAI(api_key=bad_key, base_url=emulator.base_url) as client:
        monkeypatch.setattr(sandbox_module, "_chosen", client)
        message = usage_error(shell, "me")
    assert message.startswith("%productai me: 401")
    assert bad_key not in message


def test_a_mistake_in_a_cell_shows_one_line_and_the_shell_goes_on(shell, with_account, capsys):
    result = shell.run_cell("%productai jobs --limit 0")
    assert isinstance(result.error_in_exec, UsageError)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert captured.err.strip().count("\n") == 0
    assert "--limit" in captured.err
    assert shell.run_cell("x = 1 + 1").success
    assert isinstance(productai(shell, "jobs"), JobsTable)


# -- subcommands ------------------------------------------------------------------------


def test_jobs_table_can_be_assigned_and_read(shell, with_account, make_jobs):
    made = make_jobs(with_account, [("nanobanana2", "a red shoe", 2), ("seedream", "a #fail shoe", 1)])
    result = shell.run_cell("t = %productai jobs --status completed")
    assert result.success
    table = shell.user_ns["t"]
    assert isinstance(table, JobsTable)
    assert all(isinstance(job, Job) for job in table.jobs)
    assert [job.id for job in table.jobs] == [made[0].id]
    assert table.rows[0]["status"] == "completed"
    frame = table.to_dataframe()
    assert list(frame["job_id"]) == [made[0].id]


def test_jobs_pages_and_offsets(shell, with_account, make_jobs):
    made = make_jobs(with_account, [("nanobanana", f"shoe {n}", 1) for n in range(5)], wait=False)
    newest_first = [job.id for job in reversed(made)]
    first = productai(shell, "jobs --limit 2")
    assert [row["job_id"] for row in first.rows] == newest_first[:2]
    assert first.total == 5 and first.has_more
    second = productai(shell, "jobs --limit 2 --offset 2")
    assert [row["job_id"] for row in second.rows] == newest_first[2:4]
    everything = productai(shell, "jobs --limit 2 --all")
    assert [row["job_id"] for row in everything.rows] == newest_first
    assert not everything.has_more


def test_default_limit_is_configurable(shell, with_account, make_jobs):
    make_jobs(with_account, [("nanobanana", f"shoe {n}", 1) for n in range(4)], wait=False)
    shell.run_line_magic("config", "ProductAIMagics.default_limit = 3")
    assert len(productai(shell, "jobs").rows) == 3
    assert len(productai(shell, "jobs --limit 1").rows) == 1


def test_jobs_filters_by_model_here(shell, with_account, make_jobs):
    made = make_jobs(with_account, [("nanobanana", "a", 1), ("seedream", "b", 1), ("nanobanana", "c", 1)],
                     wait=False)
    table = productai(shell, "jobs --model nanobanana")
    assert table.model_filter == "nanobanana"
    assert [job.id for job in table.jobs] == [made[2].id, made[0].id]


def test_jobs_since_keeps_only_newer_jobs(shell, with_account, make_jobs):
    make_jobs(with_account, [("nanobanana", "a", 1), ("seedream", "b", 1)], wait=False)
    future = (datetime.now(timezone.utc) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert productai(shell, f"jobs --since {future}").rows == []
    assert len(productai(shell, "jobs --since 2020-01-01").rows) == 2


def test_job_shows_that_jobs_widget(shell, with_account, make_jobs):
    (made,) = make_jobs(with_account, [("nanobanana2", "a blue shoe", 2)])
    job = productai(shell, f"job {made.id}")
    assert job.id == made.id and job.status == "completed"
    assert len(job.images) == 2
    bundle = job._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data


def test_wait_displays_each_job_when_it_ends(shell, with_account, make_jobs, monkeypatch):
    made = make_jobs(with_account, [("nanobanana", "a", 1), ("kontext-pro", "b #fail", 1)], wait=False)
    shown = []
    monkeypatch.setattr("productai_notebook.notebook.magics.display", shown.append)
    assert productai(shell, f"wait {made[0].id} {made[1].id} --timeout 60") is None
    assert [(job.id, job.status) for job in shown] == [(made[0].id, "completed"), (made[1].id, "failed")]


def test_wait_past_its_timeout_is_one_line(shell, slow_account, monkeypatch):
    monkeypatch.setattr(sandbox_module, "_chosen", slow_account)
    job = slow_account.generate(model="nanobanana", prompt="slow", image_url=IMAGE_URL)
    monkeypatch.setattr("productai_notebook.notebook.magics.display", lambda _: None)
    message = usage_error(shell, f"wait {job.id} --timeout 0.2")
    assert message.startswith(f"%productai wait: still running after 0.2 s: {job.id}")


def test_generate_starts_a_job(shell, with_account):
    job = productai(shell, f"generate --image-url {IMAGE_URL} --prompt 'a shoe on sand' --model seedream "
                           "--num-images 2 --aspect-ratio 16:9")
    assert isinstance(job, Job)
    assert (job.model, job.num_images) == ("seedream", 2)
    assert job.prompt == "a shoe on sand"
    job.wait(timeout=60, poll_interval=0.2)
    assert job.images[0].width == 1024 and job.images[0].height == 576


def test_generate_from_a_local_file_uploads_it_first(shell, with_account, tmp_path):
    from PIL import Image

    path = tmp_path / "product.png"
    Image.new("RGB", (64, 64), "orange").save(path)
    job = productai(shell, f"generate --file {path} --prompt 'on a shelf'")
    assert isinstance(job, Job) and job.model == "nanobanana2"


def test_generate_from_a_missing_file_is_one_line(shell, with_account, tmp_path):
    message = usage_error(shell, f"generate --file {tmp_path / 'nope.png'} --prompt p")
    assert message.startswith("%productai generate: ") and "cannot read 'nope.png'" in message


def test_me_prints_plan_and_credits(shell, with_account, capsys):
    productai(shell, "me")
    out = capsys.readouterr().out
    assert "plan enterprise" in out
    assert "10000" in out


def test_the_budget_shows_the_limit_the_requests_of_the_window_and_what_waits(shell, with_account, capsys):
    productai(shell, "me")  # one answer: its X-RateLimit-* headers tell the engine the limit
    capsys.readouterr()
    productai(shell, "budget")
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "rate limit: 600 requests per 60 s (from the server's headers)"
    assert lines[1].startswith("last 60 s: ") and int(lines[1].split()[3].rstrip(";")) >= 1
    assert lines[1].endswith("requests; free now")  # when the window frees, in plain words
    assert lines[2] == "waiting: nothing"
    assert "background polls" not in "\n".join(lines)


def test_config_redacts_the_key(shell, with_account, capsys, emulator):
    productai(shell, "config")
    out = capsys.readouterr().out
    assert emulator.base_url in out
    assert "pk_t\u2026" in out
    assert with_account.api_key not in out and "magic" not in out


def test_sandbox_points_the_magic_at_the_local_emulator(shell, capsys):
    productai(shell, "sandbox")
    assert "local emulator" in capsys.readouterr().out
    productai(shell, "config")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:" in out
    assert sandbox_module.SANDBOX_API_KEY not in out
    assert isinstance(productai(shell, "jobs"), JobsTable)


# -- loading and unloading ----------------------------------------------------------------


def test_unload_ext_removes_the_magic_and_stops_the_tracker(shell, with_account, make_jobs):
    (job,) = make_jobs(with_account, [("nanobanana", "slow enough", 1)], wait=False)
    productai(shell, "jobs")
    tracker = get_tracker()
    shell.run_line_magic("unload_ext", "productai_notebook")
    assert tracker.closed
    with pytest.raises(UsageError, match="productai"):
        productai(shell, "jobs")
    assert not any(type(c).__name__ == "ProductAIMagics" for c in shell.configurables)
    shell.run_line_magic("load_ext", "productai_notebook")
    assert isinstance(productai(shell, "jobs"), JobsTable)
    job.wait(timeout=60, poll_interval=0.2)


def test_unload_ext_without_live_jobs_starts_no_tracker(shell, with_account):
    from productai_notebook.api.engine import tracker as tracking

    if tracking.current_tracker() is not None:
        tracking.current_tracker().close()
    shell.run_line_magic("unload_ext", "productai_notebook")
    assert tracking.current_tracker() is None
