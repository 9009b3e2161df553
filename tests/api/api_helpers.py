"""A client wired to a scripted server (httpx.MockTransport): hostile answers on demand, no sockets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx

from productai_notebook.api import AsyncProductAI, ProductAI

KEY = "pk_test_CANARY_mock_5f4dcc3b5aa765d61d8327deb882cf99"
BASE = "https://api.example.test/v1"

Handler = Callable[[httpx.Request], httpx.Response]


def answer(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> httpx.Response:
    content = b"" if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, headers=headers)


def job_json(
    job_id: str = "job_abc123xyz", status: str = "processing", progress: int = 45, **more: Any
) -> dict:
    return {
        "job_id": job_id,
        "status": status,
        "progress": progress,
        "created_at": "2024-01-15T10:30:00Z",
        "model": "nanobanana2",
        "num_images": 1,
        **more,
    }


class Script:
    """Answers each request with the next of `answers` (the last one repeats), and records requests."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        item = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(item, Exception):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item


def mock_client(script: Script, **options: Any) -> ProductAI:
    return ProductAI(
        KEY, base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(script)), **options
    )


def mock_async_client(script: Script, **options: Any) -> AsyncProductAI:
    transport = httpx.MockTransport(script)
    return AsyncProductAI(KEY, base_url=BASE, http_client=httpx.AsyncClient(transport=transport), **options)
