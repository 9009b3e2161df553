"""Who counts as loopback: the admin view answers only them, and only loopback URLs are fetched."""

from __future__ import annotations

import httpx
import pytest

from productai_notebook.emulator import Emulator
from productai_notebook.emulator.inputs import is_loopback, is_loopback_host


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "127.8.9.10", "::1", "[::1]", "::ffff:127.0.0.1", "localhost", "LOCALHOST"]
)
def test_loopback_hosts(host):
    assert is_loopback_host(host)


@pytest.mark.parametrize(
    "host",
    ["10.0.0.1", "192.168.1.2", "::", "2001:db8::1", "::ffff:10.0.0.1", "example.com", "", "not an address"],
)
def test_other_hosts(host):
    assert not is_loopback_host(host)


def test_loopback_urls():
    assert is_loopback("http://[::1]:8787/x.png") and is_loopback("http://localhost/x.png")
    assert not is_loopback("https://example.com/x.png")


def test_the_admin_view_answers_an_ipv6_loopback_client():
    try:
        emulator = Emulator(host="::1").start()
    except OSError:
        pytest.skip("this machine has no IPv6 loopback")
    with emulator:
        answer = httpx.get(emulator.origin + "/_emulator/webhooks", timeout=30)
    assert answer.status_code == 200 and answer.json() == {"deliveries": []}
