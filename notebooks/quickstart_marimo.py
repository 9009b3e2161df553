import marimo

__generated_with = "0.25.2"
app = marimo.App(width="medium")


@app.cell
def _():
    import os

    import marimo as mo

    import productai_notebook as pai

    return mo, os, pai


@app.cell
def _(mo):
    mo.md(
        """
        # ProductAI quickstart, in marimo

        Generate product photos: connect, upload a product image, generate, watch the job,
        pick the images you like and read them back in Python.

        With `PRODUCTAI_API_KEY` set this talks to ProductAI. Without it, it uses the **sandbox**:
        a local stand-in for the API running inside this notebook's process, so nothing is spent
        and no network is needed. The widgets are shown with `mo.ui.anywidget(...)`; the
        `%productai` magic is Jupyter's, and every one of its commands is a plain call here.
        """
    )
    return


@app.cell
def _(os, pai):
    client = pai.ProductAI() if os.environ.get("PRODUCTAI_API_KEY") else pai.sandbox()
    client.me()
    return (client,)


@app.cell
def _(client):
    # An input image: any JPEG, PNG or WebP up to 10 MB (a path, bytes or a PIL image). A simple bottle.
    from PIL import Image, ImageDraw

    product = Image.new("RGB", (512, 512), "white")
    draw = ImageDraw.Draw(product)
    draw.rounded_rectangle((176, 140, 336, 440), radius=28, fill="#2f6fde")  # the bottle
    draw.rectangle((226, 90, 286, 140), fill="#1d3f80")  # its cap
    asset = client.assets.upload(product, name="blue bottle")
    return (asset,)


@app.cell
def _(asset, client, mo, pai):
    # `generate` returns at once; the JobView keeps moving while the job runs, then shows its images.
    job = client.generate(
        model="nanobanana2",
        asset_id=asset.asset_id,
        prompt="the bottle on a marble kitchen counter in soft morning light",
        num_images=3,
    )
    job_view = mo.ui.anywidget(pai.JobView(job))
    job_view
    return (job,)


@app.cell
def _(job, mo, pai):
    # A Gallery fills in as its jobs complete: tick the images you like.
    gallery = mo.ui.anywidget(pai.Gallery([job]))
    gallery
    return (gallery,)


@app.cell
def _(gallery, mo):
    # Runs again whenever the gallery's selection changes: `gallery.selected` is (job, image) pairs.
    lines = [
        f"- `{picked.id}` image {picked.images.index(image) + 1}: {image.url} ({image.width}x{image.height})"
        for picked, image in gallery.selected
    ]
    mo.md("\n".join([f"**{len(lines)} selected in the gallery**", "", *lines]))
    return


@app.cell
def _(client, job, mo, pai):
    # `%productai jobs --status completed` in Jupyter; once our job has ended, it is in the list.
    job.wait(timeout=120)
    table = mo.ui.anywidget(pai.JobsTable(client, status="completed"))
    table
    return (table,)


@app.cell
def _(client, mo, pai, table):
    # Runs again on each click on a row of the table: the clicked job, with its images.
    opened = table.opened_id
    shown = mo.ui.anywidget(pai.JobView(client.jobs.get(opened))) if opened else None
    shown or mo.md("*Click a row of the table to see its job here.*")
    return


if __name__ == "__main__":
    app.run()
