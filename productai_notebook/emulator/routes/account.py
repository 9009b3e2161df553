"""`GET /v1/me`: the account's plan and credits."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from ..endpoint import settings_of
from ..store import Account


async def me(request: Request, account: Account) -> tuple[int, Any]:
    fresh = settings_of(request).store.account(account.api_key) or account
    return 200, {
        "id": fresh.user_id,
        "email": fresh.email,
        "plan": fresh.plan,
        "credits": {"generations": fresh.credits},
    }
