"""Script-free HTML (and plain text) for every widget: what GitHub, nbviewer and nbconvert show.

Every server-provided field is escaped; image URLs pass only as http(s) or as data: of a raster
image (png, jpeg, webp, gif), so a hostile job (an error message with markup, a `javascript:` URL,
an SVG that carries script) renders as inert text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from .. import contract

_WEB_URL_PREFIXES = ("http://", "https://")
# the same rule as js/lib/urls.js: an SVG (or any non-raster type) may carry script
_RASTER_DATA_URL = re.compile(r"data:image/(png|jpeg|webp|gif)[;,]")
_THUMB_PX = 160
_BOX = (
    "font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; "
    "border: 1px solid var(--jp-border-color2, #ddd); border-radius: 6px; padding: 8px 10px;"
)
_DOT = " \u00b7 "
_GRID = "display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px;"


def safe_url(url: object) -> str | None:
    """The URL if a page may load it as an image or link to it (http, https, data: of a raster
    image), else None: the one check for every `src` and `href` Python writes."""
    if not isinstance(url, str):
        return None
    # Browsers ignore whitespace and control characters around and inside a scheme: so must we.
    probe = "".join(ch for ch in url if ch > " ").lower()
    safe = probe.startswith(_WEB_URL_PREFIXES) or _RASTER_DATA_URL.match(probe)
    return url.strip() if safe else None


def _text(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _thumb(url: str, alt: str, size: str, thumbnail: str | None = None, prompt: object = None) -> str:
    """A linked image; `thumbnail` (a data: URL made by the kernel) shows in place of the URL,
    so the page needs no image host to show it; `prompt`, when given, as text under the caption."""
    said = f'<br><span class="pai-prompt">{_text(prompt)}</span>' if prompt else ""
    href = _text(url)
    src = _text(safe_url(thumbnail) or url)
    return (
        f'<figure class="pai-thumb" style="margin: 0; width: {_THUMB_PX}px;">'
        f'<a href="{href}" target="_blank" rel="noopener noreferrer">'
        f'<img src="{src}" alt="{_text(alt)}" loading="lazy" width="{_THUMB_PX}" '
        f'style="max-width: 100%; height: auto; border-radius: 4px;"></a>'
        f'<figcaption style="font-size: 11px; opacity: 0.75;">{_text(size)}{said}</figcaption></figure>'
    )


def _prompt(prompt: object) -> str:
    """The prompt, as text a reader sees (and a search finds), not only as an image's alt text."""
    return f'<div class="pai-prompt" style="margin-top: 4px; font-style: italic;">{_text(prompt)}</div>'


def _size(image: Mapping[str, Any]) -> str:
    width, height = image.get("width"), image.get("height")
    return f"{width}\u00d7{height}" if width and height else ""


def _duration(state: Mapping[str, Any]) -> str | None:
    # from creation, like JobState.duration and the jobs table: how long the user waited
    start = state.get("created_at") or state.get("started_at")
    end = state.get("completed_at") or state.get("failed_at")
    if not (isinstance(start, str) and isinstance(end, str)):
        return None
    try:
        seconds = (datetime.fromisoformat(end.replace("Z", "+00:00"))
                   - datetime.fromisoformat(start.replace("Z", "+00:00"))).total_seconds()
    except ValueError:
        return None
    return f"{seconds:.1f} s"


def job_html(state: Mapping[str, Any], thumbnails: Mapping[str, str] | None = None) -> str:
    """A job as static HTML: status and progress, then its thumbnails, or its error.

    `thumbnails` maps an image's index (as text) to its `data:` thumbnail, where one was made.
    """
    thumbnails = thumbnails or {}
    status = str(state.get("status") or "unknown")
    job_id = state.get("job_id") or ""
    facts = [f"<strong>{_text(status)}</strong>"]
    if state.get("model"):
        facts.append(_text(state["model"]))
    if state.get("num_images"):
        facts.append(f"{_text(state['num_images'])} image(s)")
    if state.get("created_at"):
        facts.append(f"created {_text(state['created_at'])}")
    parts = [
        f'<div class="pai-job pai-static" data-status="{_text(status)}" style="{_BOX}">',
        f"<div>ProductAI job <code>{_text(job_id)}</code> \u00b7 {_DOT.join(facts)}</div>",
    ]
    if state.get("prompt"):
        parts.append(_prompt(state["prompt"]))
    if status not in ("completed", "failed"):
        progress = state.get("progress") or 0
        parts.append(
            f'<div><progress max="100" value="{_text(progress)}">{_text(progress)}%</progress> '
            f"{_text(progress)}%</div>"
        )
    error = state.get("error")
    if isinstance(error, Mapping):
        parts.append(
            '<div class="pai-job-error" style="color: var(--jp-error-color1, #b00020);">'
            f'<strong class="pai-error-code">{_text(error.get("code"))}</strong>: '
            f'<span class="pai-error-message">{_text(error.get("message"))}</span></div>'
        )
    images = [image for image in state.get("images") or () if isinstance(image, Mapping)]
    thumbs = [
        _thumb(url, f"Image {index + 1} of job {job_id}", _size(image), thumbnails.get(str(index)))
        for index, image in enumerate(images)
        if (url := safe_url(image.get("url")))
    ]
    if thumbs:
        parts.append(f'<div class="pai-gallery" style="{_GRID}">{"".join(thumbs)}</div>')
    elif _images_coming(state):
        parts.append(f'<div class="pai-images-coming">{_IMAGES_COMING}</div>')
    totals = []
    if state.get("tokens_used") is not None:
        totals.append(f"{_text(state['tokens_used'])} credits used")
    if (duration := _duration(state)) and status in ("completed", "failed"):
        totals.append(f"took {_text(duration)}")
    if totals:
        parts.append(f'<div style="opacity: 0.75;">{_DOT.join(totals)}</div>')
    parts.append("</div>")
    return "".join(parts)


def job_text(state: Mapping[str, Any]) -> str:
    """A job in a line or a few: what a terminal without HTML shows."""
    status = state.get("status") or "unknown"
    line = f"ProductAI job {state.get('job_id') or ''}: {status}"
    if status not in ("completed", "failed"):
        line += f", {state.get('progress') or 0}%"
    if state.get("model"):
        line += f" ({state['model']}, {state.get('num_images') or '?'} image(s))"
    lines = [line]
    error = state.get("error")
    if isinstance(error, Mapping):
        lines.append(f"  error {error.get('code')}: {error.get('message')}")
    lines.extend(f"  {image.get('url')}" for image in state.get("images") or () if isinstance(image, Mapping))
    if _images_coming(state) and not state.get("images"):
        lines.append(f"  {_IMAGES_COMING}")
    return "\n".join(lines)


#: a completed job whose images are still being read (a listing told its end): never "0 images"
_IMAGES_COMING = "Completed: loading its images\u2026"


def _images_coming(state: Mapping[str, Any]) -> bool:
    return state.get("status") == "completed" and state.get("images_coming") is True


_TABLE_COLUMNS = (
    ("job_id", "Job"),
    ("status", "Status"),
    ("model", "Model"),
    ("prompt", "Prompt"),
    ("num_images", "Images"),
    ("tokens_used", "Credits"),
    ("created_at", "Created"),
    ("completed_at", "Completed"),
    ("failed_at", "Failed"),
    ("duration_seconds", "Duration (s)"),
)


def _table_cell(row: Mapping[str, Any], key: str) -> Any:
    """A cell as the live table reads it: Images counts images made (a failed job made none)."""
    if key == "num_images" and row.get("status") != contract.COMPLETED:
        return 0 if row.get("status") == contract.FAILED else None
    return row.get(key)


def jobs_table_html(rows: Iterable[Mapping[str, Any]]) -> str:
    """The jobs table as a plain HTML table (one row per job, the JobsTable's columns)."""
    head = "".join(f"<th>{label}</th>" for _, label in _TABLE_COLUMNS)
    body = "".join(
        f'<tr class="pai-row" data-job-id="{_text(row.get("job_id"))}">'
        + "".join(f"<td>{_text(_table_cell(row, key))}</td>" for key, _ in _TABLE_COLUMNS)
        + "</tr>"
        for row in rows
    )
    return f'<table class="pai-table pai-static"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


#: the Gallery's "Group by" choices and the item field each groups on (js/lib/groups.js)
_GROUP_FIELDS = {"job": "job_id", "model": "model", "prompt": "prompt"}


Items = list[Mapping[str, Any]]


def _groups(items: Items, group_by: str) -> list[tuple[str | None, Items]]:
    """(title, items) per group in the order values first appear, as the live gallery groups them;
    one untitled group when not grouped."""
    field = _GROUP_FIELDS.get(group_by)
    if field is None:
        return [(None, items)]
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for item in items:
        groups.setdefault(str(item.get(field) or ""), []).append(item)
    return [(value or f"(no {group_by})", members) for value, members in groups.items()]


def _gallery_figure(item: Mapping[str, Any], thumbnails: Mapping[str, str]) -> str | None:
    url = safe_url(item.get("url"))
    if not url:
        return None
    index = item.get("index")
    number = f"#{index + 1}" if isinstance(index, int) else "#?"  # numbered from 1, as the widgets do
    caption = _DOT.join(str(part) for part in (f"{item.get('job_id')} {number}", item.get("model")) if part)
    prompt = item.get("prompt")
    alt = prompt or f"Image {number[1:]} of job {item.get('job_id')}"
    thumbnail = thumbnails.get(str(item.get("key")))
    return _thumb(url, str(alt), f"{caption} {_size(item)}".strip(), thumbnail, prompt)


def gallery_html(
    items: Iterable[Mapping[str, Any]],
    notice: str = "",
    thumbnails: Mapping[str, str] | None = None,
    group_by: str = "none",
) -> str:
    """Images of many jobs as a grid of linked thumbnails, captioned with job, image number, model and
    prompt, grouped as the Gallery groups them (`group_by`); `notice` (why images are missing) above
    them; `thumbnails` maps item keys to `data:` thumbnails."""
    thumbnails = thumbnails or {}
    sections = []
    for title, members in _groups(list(items), group_by):
        figures = [f for item in members if (f := _gallery_figure(item, thumbnails))]
        heading = ""
        if title is not None:
            count = f"{len(figures)} image" + ("" if len(figures) == 1 else "s")
            heading = f'<h4 class="pai-group-title" style="margin: 8px 0 0;">{_text(title)} ({count})</h4>'
        grid = f'<div style="{_GRID}">{"".join(figures)}</div>'
        sections.append(f'<div class="pai-group">{heading}{grid}</div>')
    note = f'<p class="pai-notice">{_text(notice)}</p>' if notice else ""
    return f'<div class="pai-explorer pai-static" style="{_BOX}">{note}{"".join(sections)}</div>'
