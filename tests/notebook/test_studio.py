"""The studio in Python: input images checked before upload, the form's values, the account's balance."""

from __future__ import annotations

import json
import uuid

import pytest
from input_files import BAD_FILES, png
from notebook_waits import wait_until
from page_messages import send_from_browser

from productai_notebook.api import InvalidArgumentError, ProductAI
from productai_notebook.contract import CREDITS_PER_IMAGE, MAX_NUM_IMAGES, MAX_UPLOAD_BYTES
from productai_notebook.notebook.studio import Studio


@pytest.fixture
def key(emulator):
    key = f"pk_test_studio_{uuid.uuid4().hex}"
    emulator.add_account(key, plan="pro", credits=500)
    return key


@pytest.fixture
def studio(emulator, key):
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        made = Studio(client)
        yield made
        made.close()


def drop(studio: Studio, name: str, data: bytes, key: str | None = None) -> None:
    """What the browser sends for a dropped, pasted or picked file: its bytes in a custom message."""
    send_from_browser(studio, {"type": "upload", "key": key or name, "name": name}, [data])


def settled(studio: Studio) -> list[dict]:
    wait_until(lambda: all(item["state"] != "sending" for item in studio.inputs), "every file settled")
    return studio.inputs


def test_the_form_gets_the_clients_rules_whole(studio):
    rules = studio.rules
    assert {m["name"]: m["credits_per_image"] for m in rules["models"]} == CREDITS_PER_IMAGE
    assert rules["num_images"]["max"] == MAX_NUM_IMAGES
    assert rules["max_upload_bytes"] == MAX_UPLOAD_BYTES
    assert rules["signatures"]["png"] == [[0, "89504e470d0a1a0a"]]


def test_a_dropped_png_is_uploaded_once_and_ready(studio, emulator, key):
    drop(studio, "lamp.png", png())
    [item] = settled(studio)
    assert item["state"] == "ready" and item["asset_id"].startswith("asset_")
    assert (item["width"], item["height"]) == (64, 48)
    assert studio.values["inputs"] == [item["asset_id"]]
    assert emulator.requests(key)["routes"].get("upload_asset") == 1
    assert studio.thumbnails[item["key"]][:3] == b"\xff\xd8\xff"  # its small JPEG, shown in the form


@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_an_inline_error_and_no_request_carries_it(studio, emulator, key, name):
    make, words = BAD_FILES[name]
    drop(studio, name, make())
    [item] = settled(studio)
    assert item["state"] == "refused" and words in item["reason"]
    assert "upload_asset" not in emulator.requests(key)["routes"]
    assert studio.values["inputs"] == []


def test_add_input_from_python_checks_too(studio, emulator, key, tmp_path):
    path = tmp_path / "shot.png"
    path.write_bytes(png((30, 20)))
    assert studio.add_input(path)["state"] == "ready"
    gif_file = tmp_path / "anim.gif"
    gif_file.write_bytes(BAD_FILES["anim.gif"][0]())
    refused = studio.add_input(gif_file)
    assert refused["state"] == "refused" and "GIF" in refused["reason"] and refused["name"] == "anim.gif"
    assert emulator.requests(key)["routes"]["upload_asset"] == 1


def test_the_accounts_assets_are_listed_page_after_page_and_chosen(studio, emulator, key):
    with ProductAI(api_key=key, base_url=emulator.base_url) as client:
        made = [client.assets.upload(png((10 + n, 10)), name=f"pack {n}").asset_id for n in range(3)]
    send_from_browser(studio, {"type": "assets"})
    wait_until(lambda: studio.assets_status == "loaded", "the account's assets")
    assert {a["asset_id"] for a in studio.assets} == set(made)
    send_from_browser(studio, {"type": "choose_asset", "asset_id": made[1]})
    assert studio.values["inputs"] == [made[1]]
    assert studio.inputs[0]["name"] == "pack 1"


def test_values_are_filled_from_python_and_checked(studio):
    studio.values = {"prompts": ["on marble", "on oak", "on marble"], "models": ["seedream", "gpt-high"],
                     "num_images": 2, "aspect_ratio": "4:3", "preset_id": "preset_1"}
    assert studio.form["prompts"] == "on marble\non oak\non marble"  # as the textarea shows it
    values = studio.values
    assert values["prompts"] == ["on marble", "on oak"]
    assert values["models"] == ["seedream", "gpt-high"]
    assert (values["num_images"], values["aspect_ratio"]) == (2, "4:3")
    assert values["preset_id"] == "preset_1"
    with pytest.raises(InvalidArgumentError, match="num_images: must be 1 to 4"):
        studio.values = {"num_images": 5}
    with pytest.raises(InvalidArgumentError, match="models: 'nanobanana3' is not one of"):
        studio.values = {"models": ["nanobanana3"]}
    assert studio.values["num_images"] == 2  # a refused fill changes nothing


def test_the_balance_is_read_once_when_the_studio_opens_not_per_change(studio, emulator, key):
    assert studio.account == {"plan": "pro", "balance": 500, "problem": ""}
    for text in ("a", "a\nb", "a\nb\nc"):
        studio.form = {**studio.form, "prompts": text}
    assert emulator.requests(key)["routes"] == {"me": 1}


def test_the_key_never_reaches_the_widget_state(studio, key):
    drop(studio, "lamp.png", png())
    settled(studio)
    state = json.dumps(studio.get_state(), default=str)  # (thumbnails' bytes as their repr)
    assert key not in state and key not in repr(studio)


def test_inputs_given_in_values_are_checked_and_uploaded_like_dropped_ones(studio, emulator, key):
    studio.values = {"inputs": [png(), BAD_FILES["cut.png"][0]()], "prompts": "on marble"}
    states = [item["state"] for item in studio.inputs]
    assert states == ["ready", "refused"]
    assert len(studio.values["inputs"]) == 1
    assert emulator.requests(key)["routes"]["upload_asset"] == 1
