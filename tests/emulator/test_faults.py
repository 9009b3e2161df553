"""Injected faults: the failures a client must survive, on a real socket."""

from __future__ import annotations

import json

import httpx
import pytest

from productai_notebook.emulator import Emulator
from productai_notebook.emulator.faults import parse_faults

from .helpers import api


def faulty(spec: str, seed: int = 0) -> Emulator:
    return Emulator(api_key="pk_test_faulty", faults=spec, seed=seed, rate_limit=10_000)


def test_a_500_fault_answers_an_internal_error():
    with faulty("500:1") as e, api(e) as http:
        response = http.get("me")
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "internal_error"


def test_a_429_fault_says_when_to_retry():
    with faulty("429:1") as e, api(e) as http:
        response = http.get("me")
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"


def test_a_reset_fault_drops_the_connection_mid_answer():
    with faulty("reset:1") as e, api(e) as http, pytest.raises(httpx.TransportError):
        http.get("me")


def test_a_slow_fault_stalls_the_answer():
    with faulty("slow:1@2s") as e, api(e, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.get("me")
        http.timeout = httpx.Timeout(30)
        assert http.get("me").status_code == 200


def test_a_garbage_fault_sends_a_body_that_is_not_json():
    with faulty("garbage:1") as e, api(e) as http:
        response = http.get("me")
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)


def test_faults_touch_only_the_api_and_never_leak_the_key():
    with faulty("500:1") as e, api(e) as http:
        assert httpx.get(e.origin + "/_emulator/webhooks").status_code == 200
        assert e.api_key not in http.get("me").text


def test_the_same_seed_gives_the_same_faults():
    def codes(seed: int) -> list[int]:
        with faulty("500:0.3,429:0.3", seed) as e, api(e) as http:
            return [http.get("me").status_code for _ in range(30)]

    first = codes(5)
    assert first == codes(5)
    assert {200, 429, 500} == set(first)


@pytest.mark.parametrize("spec", ["500", "teapot:0.1", "500:2", "500:x", "500:0.6,429:0.6", "reset:0.1@2s"])
def test_a_bad_fault_spec_is_refused_with_a_reason(spec):
    with pytest.raises(ValueError, match="fault"):
        parse_faults(spec)


def test_a_full_fault_spec_parses():
    kinds = [
        (f.kind, f.probability, f.seconds)
        for f in parse_faults("500:0.1,429:0.05,reset:0.02,slow:0.05@3s,garbage:0.02")
    ]
    assert kinds == [
        ("500", 0.1, 0.0),
        ("429", 0.05, 0.0),
        ("reset", 0.02, 0.0),
        ("slow", 0.05, 3.0),
        ("garbage", 0.02, 0.0),
    ]


SHOE = {"model": "nanobanana2", "image_url": "https://example.com/shoe.jpg", "prompt": "on marble"}


@pytest.mark.parametrize("kind", ["reset_after", "502_after", "timeout_after", "garbage"])
def test_an_after_store_fault_in_the_mix_loses_the_answer_and_keeps_the_job(kind):
    spec = f"{kind}:1@5s" if kind == "timeout_after" else f"{kind}:1"
    with faulty(spec) as e:
        with api(e, timeout=0.5) as http:
            try:
                answered = http.post("generate", json=SHOE)
            except httpx.TransportError:  # reset_after drops it, timeout_after outlasts the client
                assert kind in ("reset_after", "timeout_after")
            else:
                assert kind in ("502_after", "garbage")
                cut = not answered.content.endswith(b"}")
                assert answered.status_code == 502 if kind == "502_after" else cut
        # the job was made all the same: a careless resend would make a second one
        assert e.prompts_made() == ["on marble"]


def test_the_after_store_kinds_take_their_stall_only_where_it_means_something():
    kinds = [(f.kind, f.seconds) for f in parse_faults("reset_after:0.02,502_after:0.02,timeout_after:0.02")]
    assert kinds == [("reset_after", 0.0), ("502_after", 0.0), ("timeout_after", 60.0)]
    assert parse_faults("timeout_after:0.1@4s")[0].seconds == 4.0
    with pytest.raises(ValueError, match="take @seconds"):
        parse_faults("reset_after:0.1@4s")
