"""The jobs table shares the client's job handles: a job made here keeps its prompt in the table."""

from __future__ import annotations

from productai_notebook import JobsTable
from productai_notebook.api import ProductAI
from productai_notebook.contract import FAIL_MARKER

IMAGE_URL = "https://example.com/bag.jpg"




def test_the_gallery_opened_from_the_table_groups_by_the_prompts_sent(emulator, account_key):
    with ProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        jobs = [
            client.generate(model="nanobanana", prompt=prompt, image_url=IMAGE_URL)
            for prompt in ("the bag on marble", "the bag at dusk")
        ]
        for job in jobs:
            job.wait(timeout=60, poll_interval=0.2)
        table = JobsTable(client)
        assert {job.id: job for job in table.jobs} == {job.id: job for job in jobs}

        gallery = table.show_images()
        gallery.group_by = "prompt"
        prompts = {item["job_id"]: item["prompt"] for item in gallery.items}
        assert prompts == {job.id: job.prompt for job in jobs}
        assert set(prompts.values()) == {"the bag on marble", "the bag at dusk"}
        table.close()


def test_a_job_made_elsewhere_is_listed_without_hiding_its_images_from_the_client(
    emulator, account_key
):
    with (
        ProductAI(api_key=account_key, base_url=emulator.base_url) as elsewhere,
        ProductAI(api_key=account_key, base_url=emulator.base_url) as client,
    ):
        made = elsewhere.generate(
            model="nanobanana", prompt="the bag in snow", image_url=IMAGE_URL, num_images=2
        )
        made.wait(timeout=60, poll_interval=0.2)
        table = JobsTable(client)
        (listed,) = table.jobs
        assert listed.status == "completed" and listed.images == () and listed.prompt is None

        # The listing has no images; the client still reads the job in full when asked.
        assert len(client.jobs.get(made.id).images) == 2
        table.opened_id = made.id
        assert len(table.opened.job["images"]) == 2
        table.close()


def test_a_listed_job_from_elsewhere_downloads_and_waits_in_full(emulator, account_key, tmp_path):
    with (
        ProductAI(api_key=account_key, base_url=emulator.base_url) as elsewhere,
        ProductAI(api_key=account_key, base_url=emulator.base_url) as client,
    ):
        made = elsewhere.generate(model="seedream", prompt="on sand", image_url=IMAGE_URL, num_images=2)
        failed = elsewhere.generate(model="seedream", prompt=f"the bag {FAIL_MARKER}", image_url=IMAGE_URL)
        elsewhere.jobs.wait_all([made, failed], timeout=60, poll_interval=0.2)
        table = JobsTable(client)
        listed = {job.id: job for job in table.jobs}
        assert len(listed[made.id].download(tmp_path)) == 2  # the listing had no images: read in full
        assert len(listed[made.id].images) == 2
        (waited_failed,) = client.jobs.wait_all([listed[failed.id]], timeout=30)
        assert waited_failed.error is not None and waited_failed.error.code == "generation_failed"
        table.close()
