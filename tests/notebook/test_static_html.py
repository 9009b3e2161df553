"""The script-free HTML that GitHub, nbviewer and nbconvert show: informative, and inert."""

from __future__ import annotations

import html
import re

import pytest

from productai_notebook.notebook.static_html import (
    gallery_html,
    job_html,
    job_text,
    jobs_table_html,
    safe_url,
)

HOSTILE = "<img src=x onerror=alert(1)>"

COMPLETED = {
    "job_id": "job_abc123xyz",
    "status": "completed",
    "progress": 100,
    "model": "nanobanana2",
    "num_images": 2,
    "created_at": "2024-01-15T10:30:00Z",
    "started_at": "2024-01-15T10:30:05Z",
    "completed_at": "2024-01-15T10:30:35Z",
    "images": [
        {"url": "https://cdn.example/img_001.jpg", "width": 1024, "height": 1024},
        {"url": "https://cdn.example/img_002.jpg", "width": 1024, "height": 768},
    ],
    "tokens_used": 10,
}


def test_a_completed_job_shows_its_thumbnails_credits_and_duration():
    page = job_html(COMPLETED)
    assert '<img src="https://cdn.example/img_001.jpg"' in page
    assert '<img src="https://cdn.example/img_002.jpg"' in page
    assert 'loading="lazy"' in page
    assert "1024\u00d7768" in page
    assert "10 credits used" in page and "took 35.0 s" in page  # from creation, like job.duration
    assert 'data-status="completed"' in page
    assert "<script" not in page


def test_a_running_job_shows_its_progress():
    page = job_html({"job_id": "job_1", "status": "processing", "progress": 45, "model": "seedream"})
    assert '<progress max="100" value="45">' in page
    assert "45%" in page and "seedream" in page
    assert job_text({"job_id": "job_1", "status": "processing", "progress": 45}) == (
        "ProductAI job job_1: processing, 45%"
    )


def test_an_error_message_with_markup_shows_as_literal_text():
    error = {"code": "generation_failed", "message": HOSTILE}
    state = {"job_id": "job_x", "status": "failed", "error": error}
    page = job_html(state)
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'class="pai-job-error"' in page and "generation_failed" in page
    assert "generation_failed" in job_text(state)


def test_javascript_urls_are_dropped_everywhere():
    evil = {"url": " JaVaScript:alert(1)", "width": 1, "height": 1}
    state = {**COMPLETED, "images": [evil, {"url": "java\tscript:alert(1)"}]}
    assert "alert" not in job_html(state).lower()
    items = [{"key": "job_x:0", "job_id": "job_x", "index": 0, "url": "javascript:alert(1)"}]
    assert "alert" not in gallery_html(items).lower()
    assert safe_url("data:image/png;base64,AAAA") == "data:image/png;base64,AAAA"
    assert safe_url("data:text/html,<b>") is None
    assert safe_url("\x01javascript:alert(1)") is None


SVG = "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"


@pytest.mark.parametrize(
    "url",
    [SVG, "data:image/svg+xml;base64,PHN2Zz4=", " DATA:image/SVG+xml,<svg/onload=alert(1)>",
     "data:image/png+xml,<svg/onload=alert(1)>", "data:image/x-icon;base64,AAAB", "data:image/png"],
)
def test_only_raster_data_images_become_a_src_or_a_link(url: str) -> None:
    state = {**COMPLETED, "images": [{"url": url, "width": 1, "height": 1}]}
    items = [{"key": "job_x:0", "job_id": "job_x", "index": 0, "url": url}]
    for page in (job_html(state), gallery_html(items)):
        assert "data:" not in page.lower() and "<img" not in page and "href" not in page
    assert safe_url(url) is None


@pytest.mark.parametrize("kind", ["png", "jpeg", "webp", "gif", "JPEG"])
def test_raster_data_images_show_as_thumbnails_and_links(kind: str) -> None:
    url = f"data:image/{kind};base64,AAAA"
    page = job_html({**COMPLETED, "images": [{"url": url, "width": 1, "height": 1}]})
    assert f'<img src="{url}"' in page and f'href="{url}"' in page


def test_the_jobs_table_escapes_every_cell():
    rows = [
        {"job_id": "job_1", "status": "completed", "model": "nanobanana2", "num_images": 2, "tokens_used": 10,
         "created_at": "2024-01-15T10:30:00Z", "completed_at": "2024-01-15T10:30:35Z", "failed_at": None,
         "duration_seconds": 35.0},
        {"job_id": HOSTILE, "status": "failed", "model": HOSTILE, "num_images": 2, "prompt": HOSTILE},
    ]
    page = jobs_table_html(rows)
    assert page.count('<tr class="pai-row"') == 2
    assert "<td>job_1</td>" in page and "<td>35.0</td>" in page
    assert HOSTILE not in page
    # as in the live table: the prompt is a column, and a failed job made no images
    assert "<th>Prompt</th>" in page
    failed_row = page.split('<tr class="pai-row"')[2]
    assert "<td>0</td>" in failed_row and "<td>2</td>" not in failed_row


def test_the_gallery_captions_each_image_with_its_job_and_prompt():
    items = [
        {"key": "job_1:0", "job_id": "job_1", "index": 0, "url": "https://cdn.example/a.jpg", "width": 1024,
         "height": 1024, "model": "nanobanana2", "prompt": HOSTILE, "created_at": None},
    ]
    page = gallery_html(items)
    assert '<img src="https://cdn.example/a.jpg"' in page
    assert "job_1 #1" in page and "nanobanana2" in page  # numbered from 1, as the live gallery does
    assert HOSTILE not in page


def _visible_text(page: str) -> str:
    """What a reader sees: the text between tags (no attribute, so no alt text)."""
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_html_copy_of_a_job_shows_its_prompt_as_text():
    page = job_html({**COMPLETED, "prompt": "a bottle on <marble>"})
    assert "a bottle on <marble>" in _visible_text(page)
    assert "<marble>" not in page  # escaped


def test_the_html_copy_of_a_gallery_shows_prompts_numbers_and_its_grouping():
    items = [
        {"key": f"{job}:{n}", "job_id": job, "index": n, "url": f"https://cdn.example/{job}/{n}.jpg",
         "width": 8, "height": 8, "model": model, "prompt": prompt, "created_at": None}
        for job, model, prompt in (("job_1", "nanobanana2", "on a beach"), ("job_2", "seedream", "in snow"))
        for n in range(2)
    ]
    text = _visible_text(gallery_html(items, group_by="prompt"))
    assert "on a beach (2 images)" in text and "in snow (2 images)" in text
    order = [text.index(words) for words in ("on a beach (2", "job_1 #1", "job_1 #2", "in snow (2")]
    assert order == sorted(order)
    assert "job_2 #2" in text and "job_2 #0" not in text
    by_model = _visible_text(gallery_html(items, group_by="model"))
    assert "seedream (2 images)" in by_model and "in snow" in by_model  # the prompts, under each image
    assert "(2 images)" not in _visible_text(gallery_html(items))  # not grouped: one grid, no titles
