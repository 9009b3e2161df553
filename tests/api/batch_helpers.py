"""What the batch tests share: a fresh emulator account's client, and how many creates it sent."""

from __future__ import annotations

import uuid

from productai_notebook.api import AsyncProductAI, ProductAI
from productai_notebook.emulator import Emulator


def fresh_client(emulator: Emulator, *, credits: int = 10_000, plan: str = "enterprise") -> ProductAI:
    """A client of a new account: its jobs and creates are the test's alone."""
    key = f"pk_test_{uuid.uuid4().hex}"
    emulator.add_account(key, plan=plan, credits=credits)
    return ProductAI(api_key=key, base_url=emulator.base_url)


def creates(emulator: Emulator, client: ProductAI | AsyncProductAI) -> int:
    """The creates (POST /generate) the emulator took from `client`'s account."""
    return emulator.requests(client.api_key)["routes"].get("generate", 0)
