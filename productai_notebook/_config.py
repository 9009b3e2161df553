"""`productai_notebook.config`: how the widgets keep images in a notebook. Change it any time.

Thumbnails travel with the notebook: each completed job's images are fetched once by the kernel,
shrunk, and kept in the widget state and the static HTML, so a saved or shared notebook shows
them without the image host (which may be the kernel's loopback, or a URL that expires).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

THUMBNAILS_ENV = "PRODUCTAI_THUMBNAILS"  # "0" turns thumbnails off, e.g. for nbconvert runs


@dataclass(slots=True)  # slots: a misspelt setting fails instead of doing nothing
class NotebookConfig:
    #: make thumbnails at all (off: grids load each image's URL; saved notebooks need the host)
    thumbnails: bool = os.environ.get(THUMBNAILS_ENV, "1") != "0"
    #: the longest edge of a thumbnail, in px
    thumbnail_edge: int = 256
    #: the most one thumbnail may weigh (JPEG quality steps down until it fits)
    thumbnail_max_bytes: int = 30_000
    #: the most thumbnails one widget keeps in total; images past it show from their URL
    thumbnail_budget_bytes: int = 1_500_000
    #: the largest image the kernel fetches (for a thumbnail, or for a browser that cannot load it)
    image_max_bytes: int = 25 * 1024 * 1024
    #: where batches keep their manifests (relative: under the kernel's working folder)
    batch_dir: str | Path = Path(".productai") / "batches"


config = NotebookConfig()
