"""The board's saved copy: a script-free grid, thumbnails as data: images, prompts as text, picks marked."""

from __future__ import annotations

import base64

from productai_notebook.notebook.board_html import board_html, board_text

HOSTILE = "<img src=x onerror=alert(1)>"
JPEG = "data:image/jpeg;base64," + base64.b64encode(b"\xff\xd8\xff thumbnail").decode()
AXES = {"input": ["shoe.png"], "prompt": ["on marble", HOSTILE], "model": ["nanobanana2", "seedream"]}


def image(name: str) -> dict:
    return {"url": f"https://cdn.example/{name}.jpg", "width": 1024, "height": 1024}


CELLS = [
    {
        "at": [0, 0, 0],
        "stage": "created",
        "job_id": "job_a",
        "status": "completed",
        "images": [image("a0"), image("a1")],
        "picks": [1],
        "credits": 8,
    },
    {
        "at": [0, 0, 1],
        "stage": "created",
        "job_id": "job_b",
        "status": "processing",
        "progress": 40,
        "images": [],
        "picks": [],
    },
    {
        "at": [0, 1, 0],
        "stage": "failed",
        "job_id": None,
        "status": None,
        "error": f"bad_request: {HOSTILE}",
        "images": [],
        "picks": [],
    },
    {"at": [0, 1, 1], "stage": "queued", "job_id": None, "status": None, "images": [], "picks": []},
]


def test_the_grid_has_prompts_as_rows_models_as_columns_and_the_counts():
    page = board_html("shoes", AXES, CELLS)
    assert page.index("nanobanana2") < page.index("seedream") < page.index("on marble")
    assert page.count('<tr><th scope="row"') == 2
    assert (
        "1 completed, 1 running, 1 queued, 1 failed \u00b7 2 images \u00b7 8 credits \u00b7 1 picked" in page
    )
    assert "running, 40%" in page and "not sent yet" in page


def test_thumbnails_show_as_data_images_and_the_picks_are_marked():
    page = board_html("shoes", AXES, CELLS, {"job_a:0": JPEG})
    assert f'<img src="{JPEG}"' in page  # no image host needed
    assert '<img src="https://cdn.example/a1.jpg"' in page  # no thumbnail made: its URL
    assert page.count("\u2713 picked") == 1
    picked = page.index("\u2713 picked")
    assert page.rindex("a1.jpg", 0, picked) > page.rindex("a0.jpg", 0, picked)  # image 2, the one picked


def test_server_text_and_prompts_are_inert_text_and_unsafe_urls_are_dropped():
    cells = [
        *CELLS[:3],
        {
            **CELLS[3],
            "status": "completed",
            "job_id": "job_d",
            "images": [{"url": "javascript:alert(1)"}],
            "picks": [],
        },
    ]
    page = board_html(HOSTILE, AXES, cells, {"job_d:0": "data:image/svg+xml;base64,PHN2Zz4="})
    assert HOSTILE not in page
    assert page.count("&lt;img src=x onerror=alert(1)&gt;") == 3  # name, prompt, error
    assert "javascript:" not in page and "svg" not in page
    assert "<script" not in page


def test_several_inputs_get_a_table_each():
    axes = {**AXES, "input": ["shoe.png", "bag.png"]}
    cells = [*CELLS, {**CELLS[0], "at": [1, 0, 0], "job_id": "job_e", "picks": []}]
    page = board_html("shoes", axes, cells)
    assert page.count('<table class="pai-board-grid"') == 2
    assert "Input: bag.png" in page


def test_the_text_copy_says_the_counts_and_why_jobs_failed():
    assert board_text("shoes", CELLS).splitlines() == [
        "Batch shoes: 4 jobs \u00b7 1 completed, 1 running, 1 queued, 1 failed"
        " \u00b7 2 images \u00b7 8 credits \u00b7 1 picked",
        f"  failed: bad_request: {HOSTILE}",
    ]
