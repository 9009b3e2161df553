"""Every example answer of the Jobs page parses into the models, every field, verbatim."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from productai_notebook.api import Account, Asset, InvalidResponseError, JobPage, JobState

PROCESSING = """{
"job_id": "job_abc123xyz",
"status": "processing",
"progress": 45,
"created_at": "2024-01-15T10:30:00Z",
"started_at": "2024-01-15T10:30:05Z",
"model": "nanobanana2",
"num_images": 2
}"""

COMPLETED = """{
"job_id": "job_abc123xyz",
"status": "completed",
"progress": 100,
"created_at": "2024-01-15T10:30:00Z",
"started_at": "2024-01-15T10:30:05Z",
"completed_at": "2024-01-15T10:30:35Z",
"model": "nanobanana2",
"num_images": 2,
"images": [
{
"url": "https://cdn.productai.photo/generated/img_001.jpg",
"width": 1024,
"height": 1024
},
{
"url": "https://cdn.productai.photo/generated/img_002.jpg",
"width": 1024,
"height": 1024
}
],
"tokens_used": 10
}"""

FAILED = """{
"job_id": "job_abc123xyz",
"status": "failed",
"created_at": "2024-01-15T10:30:00Z",
"started_at": "2024-01-15T10:30:05Z",
"failed_at": "2024-01-15T10:30:15Z",
"error": {
"code": "generation_failed",
"message": "Unable to process the input image"
}
}"""

LIST = """{
"jobs": [
{
"job_id": "job_abc123xyz",
"status": "completed",
"model": "nanobanana2",
"num_images": 2,
"created_at": "2024-01-15T10:30:00Z",
"completed_at": "2024-01-15T10:30:35Z"
}
],
"total": 156,
"limit": 10,
"offset": 0,
"has_more": true
}"""

GENERATE = """{"job_id": "job_abc123xyz", "status": "pending", "created_at": "2024-01-15T10:30:00Z",
"estimated_time_seconds": 30, "model": "nanobanana2", "num_images": 2}"""

UTC = timezone.utc


def at(second: int) -> datetime:
    return datetime(2024, 1, 15, 10, 30, second, tzinfo=UTC)


def test_processing_example_parses_every_field() -> None:
    job = JobState.parse(json.loads(PROCESSING))
    assert (job.job_id, job.status, job.progress) == ("job_abc123xyz", "processing", 45)
    assert (job.created_at, job.started_at) == (at(0), at(5))
    assert (job.model, job.num_images) == ("nanobanana2", 2)
    assert job.images == () and job.error is None and not job.is_terminal
    assert job.duration is None


def test_completed_example_parses_every_field() -> None:
    job = JobState.parse(json.loads(COMPLETED))
    assert job.status == "completed" and job.progress == 100 and job.is_terminal
    assert job.completed_at == at(35)
    assert [(i.url, i.width, i.height) for i in job.images] == [
        ("https://cdn.productai.photo/generated/img_001.jpg", 1024, 1024),
        ("https://cdn.productai.photo/generated/img_002.jpg", 1024, 1024),
    ]
    assert job.tokens_used == 10
    assert job.duration == timedelta(seconds=35)


def test_failed_example_parses_every_field() -> None:
    job = JobState.parse(json.loads(FAILED))
    assert job.status == "failed" and job.is_terminal
    assert job.failed_at == at(15) and job.started_at == at(5)
    assert job.error is not None
    assert (job.error.code, job.error.message) == ("generation_failed", "Unable to process the input image")
    assert job.model is None and job.images == ()


def test_list_example_parses_into_a_page() -> None:
    page = JobPage.parse(json.loads(LIST))
    assert (page.total, page.limit, page.offset, page.has_more) == (156, 10, 0, True)
    (job,) = page.jobs
    assert (job.job_id, job.status, job.model, job.num_images) == (
        "job_abc123xyz",
        "completed",
        "nanobanana2",
        2,
    )
    assert (job.created_at, job.completed_at) == (at(0), at(35))


def test_generate_answer_parses_with_its_estimate() -> None:
    job = JobState.parse(json.loads(GENERATE))
    assert job.status == "pending" and job.progress == 0 and job.estimated_time_seconds == 30


@pytest.mark.parametrize("example", [PROCESSING, COMPLETED, FAILED])
def test_to_dict_gives_back_the_wire_fields(example: str) -> None:
    wire = json.loads(example)
    again = JobState.parse(wire).to_dict()
    assert {k: v for k, v in again.items() if k in wire} == wire
    assert JobState.parse(again) == JobState.parse(wire)


def test_unknown_fields_are_kept_and_an_unknown_status_is_accepted() -> None:
    job = JobState.parse({"job_id": "job_1", "status": "queued_for_gpu", "priority": "high"})
    assert job.status == "queued_for_gpu" and not job.is_terminal
    assert job.extra == {"priority": "high"}
    assert job.to_dict()["priority"] == "high"


@pytest.mark.parametrize(
    ("wire", "field"),
    [
        ({"status": "pending"}, "job_id"),
        ({"job_id": "job_1"}, "status"),
        ({"job_id": "job_1", "status": "processing", "progress": "45"}, "progress"),
        ({"job_id": "job_1", "status": "processing", "progress": 140}, "progress"),
        ({"job_id": "job_1", "status": "completed", "images": "none"}, "images"),
        ({"job_id": "job_1", "status": "completed", "images": [{"width": 3}]}, "images[0].url"),
        ({"job_id": "job_1", "status": "pending", "created_at": "yesterday"}, "created_at"),
        ({"job_id": 17, "status": "pending"}, "job_id"),
        ({"job_id": "job_1", "status": "pending", "num_images": True}, "num_images"),
    ],
)
def test_a_wrong_answer_is_refused_naming_the_field(wire: dict, field: str) -> None:
    with pytest.raises(InvalidResponseError, match=field.replace("[", r"\[").replace("]", r"\]")):
        JobState.parse(wire)


def test_times_without_a_zone_are_read_as_utc() -> None:
    job = JobState.parse({"job_id": "j", "status": "pending", "created_at": "2024-01-15T10:30:00"})
    assert job.created_at == at(0)


def test_account_and_asset_parse_the_documented_shapes() -> None:
    me = Account.parse({"id": "user_123", "email": "a@b.c", "plan": "pro", "credits": {"generations": 100}})
    assert (me.id, me.plan, me.generations) == ("user_123", "pro", 100)
    asset = Asset.parse(
        {
            "asset_id": "asset_xyz789",
            "name": "shoe",
            "status": "ready",
            "url": "https://cdn/x.png",
            "thumbnail_url": "https://cdn/x_t.png",
            "width": 800,
            "height": 600,
            "file_size": 1234,
            "format": "png",
            "tags": ["shoes"],
            "created_at": "2024-01-15T10:30:00Z",
        }
    )
    assert (asset.id, asset.status, asset.width, asset.tags) == ("asset_xyz789", "ready", 800, ("shoes",))


def test_states_compare_by_value_and_hash() -> None:
    assert JobState.parse(json.loads(COMPLETED)) == JobState.parse(json.loads(COMPLETED))
    assert len({JobState.parse(json.loads(COMPLETED)), JobState.parse(json.loads(COMPLETED))}) == 1


def test_a_job_that_fails_keeps_the_model_and_image_count_it_was_made_with() -> None:
    from productai_notebook.api.job import JobHandle

    job = JobHandle(JobState.parse(json.loads(PROCESSING)))
    # the Jobs page's failed answer carries neither model nor num_images
    assert job.offer_state(JobState.parse(json.loads(FAILED)))
    assert (job.status, job.model, job.num_images) == ("failed", "nanobanana2", 2)
    assert job.error is not None and job.error.code == "generation_failed"


def test_a_listed_summary_of_an_ended_job_is_filled_in_by_a_full_read_and_nothing_else() -> None:
    from productai_notebook.api.job import JobHandle

    listed = json.loads(LIST)["jobs"][0]  # completed, but a listing carries no images
    job = JobHandle(JobState.parse(listed))
    assert job.state.is_summary
    assert not job.offer_state(JobState.parse(json.loads(PROCESSING)))  # never back to running
    assert job.offer_state(JobState.parse(json.loads(COMPLETED)))
    assert len(job.images) == 2 and not job.state.is_summary
    assert not job.offer_state(JobState.parse(listed))  # and never back to the summary
