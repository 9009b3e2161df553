"""One error tree for everything the client can raise; each message says what to do next.

`ProductAIError` is the root. HTTP answers map to one `APIStatusError` subclass per meaning;
a network failure is an `APIConnectionError`; a body that breaks the contract is an
`InvalidResponseError`; a job that ends badly or too late is a `JobFailedError` / `JobTimeoutError`.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

    from .job import JobHandle
    from .models import JobState


def _clause(text: str) -> str:
    """Server words as one line without its closing full stop, ready for our sentence after it."""
    return " ".join(text.split()).rstrip(". ") or "no message given"


class ProductAIError(Exception):
    """Root of every error this package raises on purpose."""


class InvalidArgumentError(ProductAIError, ValueError):
    """A call's argument breaks a documented constraint; caught before any request is sent."""

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        super().__init__(f"{field}: {problem}")


class APIConnectionError(ProductAIError):
    """The API could not be reached, or the connection broke before an answer came.

    `may_have_arrived` is False only when the request surely never left (no connection was made).
    """

    def __init__(self, message: str = "", *, may_have_arrived: bool = True) -> None:
        self.may_have_arrived = may_have_arrived
        super().__init__(
            message or "Could not reach the ProductAI API: check the network and the base_url, then retry."
        )


class APITimeoutError(APIConnectionError):
    """The API did not answer in time."""

    def __init__(self, message: str = "", *, may_have_arrived: bool = True) -> None:
        super().__init__(
            message or "The ProductAI API did not answer in time: retry, or pass a larger timeout=.",
            may_have_arrived=may_have_arrived,
        )


class InvalidResponseError(ProductAIError):
    """The API answered with a body that is not the documented contract."""

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        self.status_code = status_code
        super().__init__(message)


class APIStatusError(ProductAIError):
    """The API answered with a non-2xx status; `code` and `message` come from its error body."""

    hint = "Check the request, then retry."

    def __init__(self, status_code: int, code: str, message: str, *, body: Any = None) -> None:
        self.status_code = status_code
        self.code = code
        self.message = message
        self.body = body
        super().__init__(f"{status_code} {code}: {_clause(message)}. {self.hint}")


class BadRequestError(APIStatusError):
    hint = "Fix the named parameter and send the request again."


class AuthenticationError(APIStatusError):
    """401: no key, or the server refused the one sent; `key_refused` and `local` say which hint fits."""

    def __init__(
        self, status_code: int, code: str, message: str, *, body: Any = None,
        key_refused: bool = False, local: bool = False,
    ) -> None:  # fmt: skip
        self.key_refused = key_refused
        self.local = local
        super().__init__(status_code, code, message, body=body)

    @property
    def hint(self) -> str:  # type: ignore[override]
        if not self.key_refused:
            return "Set the PRODUCTAI_API_KEY environment variable or pass api_key= to the client."
        if self.local:
            return (
                "This local emulator refused the key: pass the key it was started with "
                "(emu.api_key, or its --api-key), or use productai_notebook.sandbox(), which needs none."
            )
        return (
            "The API refused this key: check it for typos, or copy a valid one from the API keys "
            "page of your ProductAI dashboard (PRODUCTAI_API_KEY or api_key= sets it)."
        )


class PermissionDeniedError(APIStatusError):
    hint = "Your plan does not allow this; check your account with client.me() or upgrade the plan."


class InsufficientCreditsError(PermissionDeniedError):
    hint = "Not enough credits for this job: check client.me().credits, buy credits, or ask for fewer images."


class NotFoundError(APIStatusError):
    hint = "Check the id: it may be mistyped or belong to another account."


class RateLimitError(APIStatusError):
    """429: too many requests; `retry_after` is the server's advised wait in seconds, when known."""

    def __init__(
        self, status_code: int, code: str, message: str, *, body: Any = None, retry_after: float | None = None
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, code, message, body=body)

    @property
    def hint(self) -> str:  # type: ignore[override]
        if self.retry_after is None:
            return "Wait a little and retry, or poll less often."
        wait = f"{self.retry_after:.0f}"
        says_when = re.search(r"\b(retry|try again)\b", self.message, re.IGNORECASE) and re.search(
            rf"\b{wait}\b", self.message
        )
        if says_when:
            return "Wait that long, or poll less often."  # the server's words already say when
        return f"Retry in {wait} s, or poll less often."


class InternalServerError(APIStatusError):
    hint = "The service had a problem; retry in a few seconds."


class JobMayExistError(ProductAIError):
    """A create got no clear answer, and the account's newest jobs do not say which job it made.

    The job may exist, and its credits may be spent: `candidates` are the jobs that could be it
    (none, or more than one). Generating again could pay for a second job, so check first.
    """

    def __init__(
        self, what: str, since: datetime, candidates: tuple[JobState, ...], *, searched: bool = True
    ) -> None:
        self.candidates = candidates
        when = f"{since:%H:%M:%S} UTC"
        if candidates:
            ids = ", ".join(job.job_id for job in candidates[:5]) + (", ..." if len(candidates) > 5 else "")
            found = f"; {len(candidates)} jobs created since {when} could be it ({ids}): see error.candidates"
        else:
            found = f"; no job created since {when} matches it yet" if searched else ""
        super().__init__(
            f"{_clause(what)}: the job may exist and its credits may be spent{found}. "
            "Check client.jobs.list() or client.me() before generating again: a retry could pay twice."
        )


class JobFailedError(ProductAIError):
    """The job ended as failed; `job`, `code` and `message` say which and why."""

    def __init__(self, job: JobHandle) -> None:
        self.job = job
        error = job.state.error
        self.code = error.code if error else "unknown"
        self.message = error.message if error else "the job failed without an error message"
        super().__init__(
            f"Job {job.id} failed ({self.code}): {_clause(self.message)}. "
            "Change the input image or prompt and generate again."
        )


class JobTimeoutError(ProductAIError):
    """A wait reached its deadline before the job ended; the job itself goes on."""

    def __init__(self, job: JobHandle, timeout: float, *, unfinished: int = 1) -> None:
        self.job = job
        self.timeout = timeout
        others = f" ({unfinished} jobs unfinished)" if unfinished > 1 else ""
        super().__init__(
            f"Job {job.id} is still {job.state.status} ({job.state.progress}%) after {timeout:g} s{others}. "
            "It goes on running: wait again, or pass a larger timeout=."
        )
