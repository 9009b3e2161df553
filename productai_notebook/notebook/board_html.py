"""The batch board without JavaScript: a script-free, escaped HTML grid (and a few lines of text).

What GitHub, nbviewer, nbconvert and an untrusted notebook show: the header's counts, then for
each input a table with the prompts as rows and the models as columns, each cell the job's
thumbnails (as `data:` images, so no image host is needed), its status or its error, and the
picks marked. Every field is escaped; URLs pass through `safe_url` as everywhere else.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from .static_html import safe_url

_BOX = (
    "font-family: var(--jp-ui-font-family, sans-serif); font-size: 13px; "
    "border: 1px solid var(--jp-border-color2, #ddd); border-radius: 6px; padding: 8px 10px;"
)
_CELL = "border: 1px solid var(--jp-border-color2, #ddd); padding: 4px; vertical-align: top;"
_THUMB_PX = 96
_PICKED = "outline: 3px solid var(--jp-brand-color1, #1976d2); outline-offset: -3px;"
_FIGURE = "display: inline-block; margin: 0 4px 0 0; font-size: 11px;"


def _text(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def phase_of(cell: Mapping[str, Any]) -> str:
    """Where a job of the board is, as its header counts it (js/lib/board_header.js's `phaseOf`)."""
    if cell.get("stage") in ("failed", "lost") or cell.get("status") == "failed":
        return "failed"
    if cell.get("status") == "completed":
        return "completed"
    return "running" if cell.get("status") == "processing" else "queued"


def counts(cells: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Completed, running, queued and failed jobs, images and credits, as the live header counts them."""
    totals = dict.fromkeys(("completed", "running", "queued", "failed", "images", "credits"), 0)
    for cell in cells:
        totals[phase_of(cell)] += 1
        totals["images"] += len(cell.get("images") or ())
        totals["credits"] += int(cell.get("credits") or 0)
    return totals


def _counts_line(cells: Sequence[Mapping[str, Any]]) -> str:
    c = counts(cells)
    picks = sum(len(cell.get("picks") or ()) for cell in cells)
    return (
        f"{c['completed']} completed, {c['running']} running, {c['queued']} queued, {c['failed']} failed"
        f" \u00b7 {c['images']} images \u00b7 {c['credits']} credits \u00b7 {picks} picked"
    )


def _image(cell: Mapping[str, Any], n: int, image: Mapping[str, Any], thumbnails: Mapping[str, str]) -> str:
    url = safe_url(image.get("url"))
    thumbnail = safe_url(thumbnails.get(f"{cell.get('job_id')}:{n}"))
    src = thumbnail or url
    if not src:
        return ""
    picked = n in (cell.get("picks") or ())
    mark = ' <span class="pai-picked">\u2713 picked</span>' if picked else ""
    style = f' style="{_PICKED}"' if picked else ""
    job = _text(cell.get("job_id"))
    img = (
        f'<img src="{_text(src)}" alt="Image {n + 1} of job {job}" loading="lazy" width="{_THUMB_PX}"{style}>'
    )
    # a thumbnail links to the full image; an image shown from its URL is that already
    linked = (
        f'<a href="{_text(url)}" target="_blank" rel="noopener noreferrer">{img}</a>'
        if url and thumbnail
        else img
    )
    return f'<figure style="{_FIGURE}">{linked}<figcaption>#{n + 1}{mark}</figcaption></figure>'


def _cell(cell: Mapping[str, Any] | None, thumbnails: Mapping[str, str]) -> str:
    if cell is None:
        return f'<td style="{_CELL}"></td>'
    phase = phase_of(cell)
    images = [image for image in cell.get("images") or () if isinstance(image, Mapping)]
    if images:
        body = "".join(_image(cell, n, image, thumbnails) for n, image in enumerate(images))
    elif phase == "failed":
        body = (
            '<span class="pai-board-error" style="color: var(--jp-error-color1, #b00020);">'
            f"{_text(cell.get('error') or 'failed')}</span>"
        )
    elif phase == "running":
        body = f"running, {_text(cell.get('progress') or 0)}%"
    else:
        body = "queued" if cell.get("job_id") else "not sent yet"
    return f'<td class="pai-board-cell" data-phase="{phase}" style="{_CELL}">{body}</td>'


def _table(
    axes: Mapping[str, Sequence[str]],
    cells: Sequence[Mapping[str, Any]],
    tab: int,
    thumbnails: Mapping[str, str],
) -> str:
    prompts, models = list(axes.get("prompt") or ()), list(axes.get("model") or ())
    grid: dict[tuple[int, int], Mapping[str, Any]] = {}
    for cell in cells:
        at = cell.get("at") or (0, 0, 0)
        if at[0] == tab:
            grid[(at[1], at[2])] = cell
    head = "".join(f'<th style="{_CELL}">{_text(model)}</th>' for model in models)
    rows = "".join(
        f'<tr><th scope="row" style="{_CELL} text-align: left; max-width: 240px;">{_text(prompt)}</th>'
        + "".join(_cell(grid.get((p, m)), thumbnails) for m in range(len(models)))
        + "</tr>"
        for p, prompt in enumerate(prompts)
    )
    return (
        '<table class="pai-board-grid" style="border-collapse: collapse; margin-top: 6px;">'
        f'<thead><tr><th style="{_CELL}"></th>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def board_html(
    name: str,
    axes: Mapping[str, Sequence[str]],
    cells: Sequence[Mapping[str, Any]],
    thumbnails: Mapping[str, str] | None = None,
) -> str:
    """The board as static HTML: its counts, then a prompts x models table per input.

    `thumbnails` maps "<job_id>:<n>" to a `data:` thumbnail, where one was made.
    """
    thumbnails = thumbnails or {}
    inputs = list(axes.get("input") or ()) or [""]
    tables = []
    for tab, label in enumerate(inputs):
        title = f'<div class="pai-board-input">Input: {_text(label)}</div>' if len(inputs) > 1 else ""
        tables.append(title + _table(axes, cells, tab, thumbnails))
    return (
        f'<div class="pai-board pai-static" style="{_BOX}">'
        f"<div><strong>Batch {_text(name)}</strong> \u00b7 {_text(_counts_line(cells))}</div>"
        f'<div style="overflow-x: auto;">{"".join(tables)}</div></div>'
    )


def board_text(name: str, cells: Sequence[Mapping[str, Any]]) -> str:
    """The board in a line or two: what a terminal without HTML shows."""
    lines = [f"Batch {name}: {len(cells)} jobs \u00b7 {_counts_line(cells)}"]
    failed = [cell for cell in cells if phase_of(cell) == "failed" and cell.get("error")]
    lines.extend(f"  failed: {cell.get('error')}" for cell in failed[:3])
    return "\n".join(lines)
