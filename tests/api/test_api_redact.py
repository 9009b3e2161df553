"""The redaction alone: which text is a secret, and what is left of the text around it."""

from __future__ import annotations

import logging

import pytest

from productai_notebook.api._redact import MIN_SECRET_CHARS, REDACTED, redact_json, redact_text, remember_key

KEY = "pk_live_0123456789abcdef"


def test_the_key_is_blanked_wherever_it_shows():
    assert redact_text(f"key {KEY} and {KEY}!", [KEY]) == f"key {REDACTED} and {REDACTED}!"


def test_a_key_of_the_shortest_secret_length_is_blanked_and_a_shorter_one_is_left():
    secret = "k" * MIN_SECRET_CHARS
    assert redact_text(f"id_{secret}", [secret]) == f"id_{REDACTED}"
    toy = "k" * (MIN_SECRET_CHARS - 1)
    assert redact_text(f"id_{toy}", [toy]) == f"id_{toy}"


@pytest.mark.parametrize(
    ("text", "left"),
    [
        ("Authorization: Bearer abc.def-123", f"Authorization: Bearer {REDACTED}"),
        ("bearer  tok", f"bearer  {REDACTED}"),  # the spaces stay as they were
        ("BEARER tok", f"BEARER {REDACTED}"),
        ('"Bearer tok" said', f'"Bearer {REDACTED}" said'),
        ("Bearer tok,next", f"Bearer {REDACTED},next"),
        ("Bearer tok;next", f"Bearer {REDACTED};next"),
        ("<Bearer tok>", f"<Bearer {REDACTED}>"),
        ("Bearer tok'", f"Bearer {REDACTED}'"),
        ("Bearer\ttok next", f"Bearer\t{REDACTED} next"),
    ],
)
def test_a_bearer_token_is_blanked_up_to_the_next_separator(text, left):
    assert redact_text(text, []) == left


@pytest.mark.parametrize("text", ["forbearer tok", "Bearer", "the bearer of news", "Bearertok"])
def test_words_that_only_look_like_bearer_are_left_alone(text):
    # "the bearer of news": a token after a bearer is hidden; here "of" is, as a token would be
    expected = "the bearer [redacted] news" if text == "the bearer of news" else text
    assert redact_text(text, []) == expected


def test_every_string_of_a_json_body_is_redacted_keys_and_nested_lists_included():
    body = {KEY: [f"a {KEY}", {"deep": [f"Bearer x{KEY}"]}], "n": 1, "ok": "plain"}
    assert redact_json(body, [KEY]) == {
        REDACTED: [f"a {REDACTED}", {"deep": [f"Bearer {REDACTED}"]}],
        "n": 1,
        "ok": "plain",
    }
    assert redact_json(f"just {KEY}", [KEY]) == f"just {REDACTED}"
    assert redact_json([[KEY], 2, None], [KEY]) == [[REDACTED], 2, None]


def test_a_body_nested_deeper_than_recursion_allows_is_redacted_too():
    body: list = [KEY]
    for _ in range(5000):
        body = [body]
    out = redact_json(body, [KEY])
    for _ in range(5000):
        out = out[0]
    assert out == [REDACTED]


def test_keys_keep_their_order():
    assert list(redact_json({"b": 1, "a": 2, KEY: 3}, [KEY])) == ["b", "a", REDACTED]


@pytest.mark.parametrize("name", ["productai_notebook.api", "httpx", "httpcore.http11", "httpcore.proxy"])
def test_the_http_libraries_log_lines_lose_a_known_key_and_are_still_written(name, caplog):
    remember_key(KEY)
    with caplog.at_level(logging.DEBUG, logger=name):
        logging.getLogger(name).debug("sent %s with %s", "Authorization", f"Bearer {KEY}")
        logging.getLogger(name).debug("plain %s", "line")
    lines = [record.getMessage() for record in caplog.records]
    assert lines == [f"sent Authorization with Bearer {REDACTED}", "plain line"]
