"""A closed client says so, and how to get a working one, instead of httpx's RuntimeError."""

from __future__ import annotations

import pytest

from productai_notebook.api import AsyncProductAI, ProductAI, ProductAIError
from productai_notebook.emulator import Emulator

GENERATE = {"model": "nanobanana2", "prompt": "after close", "image_url": "https://example.com/p.png"}


def test_a_closed_client_raises_a_productai_error_that_says_what_to_do(emulator: Emulator, account_key: str):
    client = ProductAI(api_key=account_key, base_url=emulator.base_url)
    assert not client.is_closed
    client.close()
    assert client.is_closed
    for call in (lambda: client.generate(**GENERATE), client.me, lambda: client.jobs.list()):
        with pytest.raises(ProductAIError, match=r"was closed.*make a new one.*pai\.sandbox\(\)") as raised:
            call()
        assert not isinstance(raised.value, RuntimeError)
        assert account_key not in str(raised.value)
    # nothing was sent: the account has no job
    with ProductAI(api_key=account_key, base_url=emulator.base_url) as fresh:
        assert not fresh.jobs.list().jobs


def test_a_with_block_closes_it_too(emulator: Emulator, account_key: str):
    with ProductAI(api_key=account_key, base_url=emulator.base_url) as client:
        job = client.generate(**GENERATE)
    with pytest.raises(ProductAIError, match="ProductAI was closed"):
        job.refresh()


async def test_a_closed_async_client_says_so_too(emulator: Emulator, account_key: str):
    client = AsyncProductAI(api_key=account_key, base_url=emulator.base_url)
    await client.close()
    with pytest.raises(ProductAIError, match="AsyncProductAI was closed"):
        await client.me()
