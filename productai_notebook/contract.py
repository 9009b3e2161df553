"""Plain facts of the ProductAI API that the client and the emulator both rely on.

Everything here is data, no behaviour, so both sides can import it without importing
each other. [doc] marks what ProductAI documents, [ours] what this project decided
(see the API contract in the project's design notes); [ours] values must stay tolerant.
"""

from __future__ import annotations

from typing import Final

DEFAULT_BASE_URL: Final = "https://api.productai.photo/v1"
API_KEY_ENV: Final = "PRODUCTAI_API_KEY"
BASE_URL_ENV: Final = "PRODUCTAI_BASE_URL"

# [doc] credits consumed per generated image, by model
CREDITS_PER_IMAGE: Final[dict[str, int]] = {
    "nanobanana2": 5,
    "nanobananapro": 8,
    "nanobanana": 3,
    "kontext-pro": 3,
    "kontext-max": 3,
    "seedream": 3,
    "gpt-high": 8,
}
MODELS: Final = tuple(CREDITS_PER_IMAGE)
DEFAULT_MODEL: Final = "nanobanana2"

# [doc] job statuses; [ours] pending -> processing -> completed | failed, nothing else
PENDING: Final = "pending"
PROCESSING: Final = "processing"
COMPLETED: Final = "completed"
FAILED: Final = "failed"
STATUSES: Final = (PENDING, PROCESSING, COMPLETED, FAILED)
TERMINAL_STATUSES: Final = frozenset({COMPLETED, FAILED})
# [ours] the list filter also takes "all" (the default: every job)
STATUS_FILTERS: Final = ("all", *STATUSES)

# [doc] aspect ratios; [ours] the pixel size of a generated image for each
ASPECT_RATIOS: Final[dict[str, tuple[int, int]]] = {
    "1:1": (1024, 1024),
    "4:3": (1024, 768),
    "3:4": (768, 1024),
    "16:9": (1024, 576),
    "9:16": (576, 1024),
}
DEFAULT_ASPECT_RATIO: Final = "1:1"

MIN_NUM_IMAGES: Final = 1
MAX_NUM_IMAGES: Final = 4  # [doc]
DEFAULT_NUM_IMAGES: Final = 1

DEFAULT_LIST_LIMIT: Final = 20  # [doc]
MAX_LIST_LIMIT: Final = 100  # [doc]

MAX_UPLOAD_BYTES: Final = 10 * 1024 * 1024  # [doc] inputs are at most 10 MB
INPUT_FORMATS: Final = ("jpeg", "png", "webp")  # [doc]
# [ours] the pixel budget of an input image: a PNG of 20 KB can decode to 12000x12000 (over 500 MB in
# memory); 25 megapixels (e.g. 6000x4000, a camera photo) decode to at most 100 MB
MAX_INPUT_PIXELS: Final = 25_000_000

# [doc] recommended polling interval band, seconds
POLL_INTERVAL_MIN: Final = 2.0
POLL_INTERVAL_MAX: Final = 5.0

# [doc] requests per minute by plan; [ours] enterprise's "custom" is 600 here
RATE_LIMITS_PER_MINUTE: Final[dict[str, int]] = {"free": 10, "pro": 60, "enterprise": 600}

# [doc]/[ours] webhooks
SIGNATURE_HEADER: Final = "X-ProductAI-Signature"
SIGNATURE_PREFIX: Final = "sha256="
EVENT_COMPLETED: Final = "job.completed"
EVENT_FAILED: Final = "job.failed"
WEBHOOK_MAX_ATTEMPTS: Final = 5
WEBHOOK_TIMEOUT_SECONDS: Final = 10.0

# [ours] error codes of non-2xx bodies: {"error": {"code": ..., "message": ...}}
ERROR_INVALID_REQUEST: Final = "invalid_request"
ERROR_UNAUTHORIZED: Final = "unauthorized"
ERROR_FORBIDDEN: Final = "forbidden"
ERROR_INSUFFICIENT_CREDITS: Final = "insufficient_credits"
ERROR_JOB_NOT_FOUND: Final = "job_not_found"
ERROR_NOT_FOUND: Final = "not_found"
ERROR_RATE_LIMITED: Final = "rate_limit_exceeded"
ERROR_INTERNAL: Final = "internal_error"
# [ours] the code of a job that failed during generation (the Jobs page example)
ERROR_GENERATION_FAILED: Final = "generation_failed"

# [ours] the emulator's deterministic way to make a job fail: this marker anywhere in the
# prompt or the image URL. Demos and tests use it; the real service knows nothing of it.
FAIL_MARKER: Final = "#fail"


def tokens_for(model: str, num_images: int) -> int:
    """[ours] Credits a completed job uses: credits per image times the number of images."""
    return CREDITS_PER_IMAGE.get(model, 0) * num_images
