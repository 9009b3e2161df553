"""What widgets add to a saved notebook: bytes per thumbnail, bytes per extra JobView, JobsTable, Gallery.

Notebooks run headless (nbclient, as CI or `jupyter nbconvert --execute` run them) against an
in-process emulator, then saved; the figures are differences of saved file sizes. Takes about 40 s.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from PIL import Image
from results_file import write_results

from productai_notebook import config
from productai_notebook.emulator.images import render
from productai_notebook.notebook._front_end import built_source
from productai_notebook.notebook.thumbnails import make_thumbnail

RESULTS = Path(__file__).parent / "results" / "saved_notebook.json"
IMAGES_PER_JOB = 2
GRAIN = 0.12  # as bench_gallery_vs_ipyplot.py: the emulator's smooth renders, grained to weigh what photos do


def run_and_save(jobs: int, thumbnails: bool, show: str = "", copies: int = 0) -> tuple[int, int]:
    """Saved size (bytes) of a notebook that shows `jobs` running jobs until they end; and its image count.

    With `show` (a widget made from `client` and the ended `jobs`), `copies` of it are shown after.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import productai_notebook as pai\n"
        "from productai_notebook.emulator import Emulator\n"
        f"pai.config.thumbnails = {thumbnails}\n"
        "emulator = Emulator(job_seconds=(0.5, 1.0)).start()\n"
        "client = pai.ProductAI(api_key=emulator.api_key, base_url=emulator.base_url)",
        f"jobs = [client.generate(model='nanobanana2', image_url='https://example.com/a.png', prompt='a',\n"
        f"                        num_images={IMAGES_PER_JOB}) for _ in range({jobs})]\n"
        "for job in jobs:\n"
        "    display(job)",
        "_ = client.jobs.wait_all(jobs, timeout=120)",
        f"for _ in range({copies}):\n"
        f"    display({show})",
        "emulator.stop()",
    )]
    NotebookClient(notebook, kernel_name="python3", timeout=180).execute()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "saved.ipynb"
        nbformat.write(notebook, path)
        return path.stat().st_size, jobs * IMAGES_PER_JOB


def bytes_per_extra(show: str) -> int:
    """What each further copy of the widget `show` adds to the saved notebook (thumbnails off)."""
    one, _ = run_and_save(jobs=2, thumbnails=False, show=show, copies=1)
    four, _ = run_and_save(jobs=2, thumbnails=False, show=show, copies=4)
    return round((four - one) / 3)


def thumbnail_kb() -> dict[str, float]:
    """One thumbnail at the default settings, of an emulator render and of a photo-like image."""
    shot = Image.open(io.BytesIO(render("job_bench", 0, "on marble", (1024, 1024), None)))
    grain = Image.effect_noise((1024, 1024), 64).convert("RGB")
    sizes = {}
    shot = shot.convert("RGB")
    for name, picture in (("emulator_render", shot), ("photo", Image.blend(shot, grain, GRAIN))):
        out = io.BytesIO()
        picture.save(out, "JPEG", quality=85)
        made = make_thumbnail(out.getvalue(), edge=config.thumbnail_edge,
                              max_bytes=config.thumbnail_max_bytes)
        sizes[name] = round(len(made or b"") / 1024, 1)
    return sizes


def main() -> dict[str, object]:
    with_thumbnails, images = run_and_save(jobs=3, thumbnails=True)
    without, _ = run_and_save(jobs=3, thumbnails=False)
    one, _ = run_and_save(jobs=1, thumbnails=False)
    six, _ = run_and_save(jobs=6, thumbnails=False)
    # each widget carries the loader as its `_esm`; each front end's code is kept once (its FrontEnd widget)
    loader = len(built_source("loader.js", "").encode())
    once = {name: sum(len(built_source(name + ext, "").encode()) for ext in (".js", ".css"))
            for name in ("job_view", "jobs_table", "gallery")}
    kb = thumbnail_kb()
    return write_results(RESULTS, {
        "thumbnail_edge_px": config.thumbnail_edge,
        "thumbnail_kb": kb,
        # kept twice (binary widget state and the data: image of the static HTML), both base64 in the file
        "saved_bytes_per_thumbnail_emulator_render": round((with_thumbnails - without) / images),
        "saved_kb_per_thumbnail_photo_estimate": round(kb["photo"] * 2 * 4 / 3, 1),
        "saved_bytes_per_extra_jobview": round((six - one) / 5),
        "saved_bytes_per_extra_jobs_table": bytes_per_extra("pai.JobsTable(client)"),
        "saved_bytes_per_extra_gallery": bytes_per_extra("pai.Gallery(jobs)"),
        "front_end_bytes_per_widget": loader,
        "front_end_bytes_once_per_notebook": once,
    })


if __name__ == "__main__":
    main()
