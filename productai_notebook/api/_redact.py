"""Secrets out of server text: the client's key and any `Bearer <token>` become `[redacted]`.

A server may echo what it was sent (an error that quotes the Authorization header, a job whose
error message holds the key). Answers are redacted once, right after their JSON is decoded, so
no model, exception, log line, widget or saved notebook built from them can hold a secret.
httpx and httpcore log raw answer lines (the status line, headers) at INFO and DEBUG: a filter
on their loggers redacts those with every key a client of this process was given.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

REDACTED = "[redacted]"
# a key this short is no secret worth hiding, and blanking it would mangle ids and URLs that hold it
MIN_SECRET_CHARS = 8
# a token after "Bearer", whatever its alphabet: up to the next space, quote or separator
_BEARER = re.compile(r"(?i)\b(bearer)(\s+)[^\s\"'<>,;]+")


def redact_text(text: str, secrets: Iterable[str]) -> str:
    """`text` without any of `secrets` and without the token of any `Bearer <token>`."""
    for secret in secrets:
        if len(secret) >= MIN_SECRET_CHARS and secret in text:
            text = text.replace(secret, REDACTED)
    if "bearer" in text.lower():  # cheap pre-check, as case-blind as the pattern: the regex is rarely needed
        text = _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}{REDACTED}", text)
    return text


def redact_json(value: Any, secrets: Iterable[str]) -> Any:
    """Decoded JSON with every string (keys included) redacted, changed in place where it can be.

    Walks with its own stack, not recursion, so a body nested as deep as the decoder allowed
    never overflows here.
    """
    secrets = tuple(secrets)
    if isinstance(value, str):
        return redact_text(value, secrets)
    pending = [value]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            for index, item in enumerate(node):
                if isinstance(item, str):
                    node[index] = redact_text(item, secrets)
                elif isinstance(item, (list, dict)):
                    pending.append(item)
        elif isinstance(node, dict):
            items = list(node.items())
            node.clear()
            for key, item in items:
                if isinstance(item, str):
                    item = redact_text(item, secrets)
                elif isinstance(item, (list, dict)):
                    pending.append(item)
                node[redact_text(key, secrets) if isinstance(key, str) else key] = item
    return value


_known_keys: set[str] = set()
_known_keys_lock = threading.Lock()
# the loggers that write what the server sent (ours too, as a second line of defence)
_LOGGERS = ("productai_notebook.api", "httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2",
            "httpcore.proxy", "httpcore.socks")


def remember_key(key: str) -> None:
    """Keep `key` out of the log lines of the HTTP libraries from now on."""
    if key:
        with _known_keys_lock:
            _known_keys.add(key)


class _RedactingFilter(logging.Filter):
    """Rewrites a log record's text without the keys and Bearer tokens (it never drops a record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        with _known_keys_lock:
            keys = tuple(_known_keys)
        clean = redact_text(text, keys)
        if clean != text:
            record.msg, record.args = clean, None
        return True


def _install_log_filter() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, _RedactingFilter) for f in logger.filters):
            logger.addFilter(_RedactingFilter())


_install_log_filter()
