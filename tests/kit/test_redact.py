"""PII redaction (kit/redact.py) over a labelled set of hits and near-misses, in log records
(JSON and text, message, extras and tracebacks) and in what a provider is sent."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from baton.ai.prompt import masked
from baton.ai.providers.base import ChatMessage, ChatRequest, ToolCall, ToolRound
from baton.kit.logging import JsonFormatter, TextFormatter
from baton.kit.redact import is_card_number, redact, redact_value
from tests.kit.pii_examples import HITS, NEAR_MISSES


@pytest.mark.parametrize(("text", "want"), HITS)
def test_hits_are_masked(text: str, want: str) -> None:
    assert redact(text) == want


@pytest.mark.parametrize("text", NEAR_MISSES)
def test_near_misses_are_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_labelled_set_is_balanced() -> None:
    kinds = {
        k
        for _, want in HITS
        for k in ("[email]", "[phone]", "[card]", "[iban]", "[ssn]")
        if k in want
    }
    assert kinds == {"[email]", "[phone]", "[card]", "[iban]", "[ssn]"}
    assert len(NEAR_MISSES) >= 30


def test_cards_need_luhn_and_an_issuer() -> None:
    assert is_card_number("4111 1111 1111 1111")
    assert not is_card_number("4111 1111 1111 1112")  # checksum
    assert not is_card_number("1234 5678 9012 3452")  # Luhn-valid, no such issuer
    assert not is_card_number("4111 1111 1111 1")  # Visa prefix, wrong length


def test_a_national_number_follows_the_region() -> None:
    assert redact("ring 020 7946 0958", region="GB") == "ring [phone]"
    assert redact("ring 020 7946 0958", region="US") == "ring 020 7946 0958"


def test_values_keep_their_shape() -> None:
    value = {"email": "a@example.com", "n": 3, "items": ["+44 20 7946 0958", None], "t": ("x",)}
    assert redact_value(value) == {
        "email": "[email]",
        "n": 3,
        "items": ["[phone]", None],
        "t": ("x",),
    }


def _record(msg: str, *args: object, **extra: object) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {
            "name": "baton.test",
            "levelno": 20,
            "levelname": "INFO",
            "msg": msg,
            "args": args,
            **extra,
        }
    )
    return record


def test_json_logs_mask_message_extras_and_tracebacks() -> None:
    try:
        raise ValueError("bad address ann@example.com")
    except ValueError:
        exc_info = sys.exc_info()
    record = _record(
        "login failed for %s from 203.0.113.7",
        "bob@example.com",
        visitor={"email": "c@example.com", "phone": "+1 415-555-0132"},
        order="1002",
        exc_info=exc_info,
    )
    entry = json.loads(JsonFormatter().format(record))
    assert entry["msg"] == "login failed for [email] from 203.0.113.7"
    assert entry["visitor"] == {"email": "[email]", "phone": "[phone]"} and entry["order"] == "1002"
    assert "ann@example.com" not in entry["exc"] and "bad address [email]" in entry["exc"]
    # after a JSON escape (a newline, a non-ASCII letter) a value is still found
    entry = json.loads(JsonFormatter().format(_record("line\n+44 20 7946 0958 pedro@exämple.com")))
    assert entry["msg"] == "line\n[phone] [email]"


def test_text_logs_and_the_off_switch() -> None:
    record = _record("visitor wrote from jane@example.com")
    assert TextFormatter("%(message)s").format(record).endswith("visitor wrote from [email]")
    off = json.loads(JsonFormatter(redact_pii=False).format(record))
    assert off["msg"] == "visitor wrote from jane@example.com"
    assert "jane@example.com" in TextFormatter("%(message)s", redact_pii=False).format(record)


def test_provider_requests_mask_the_conversation_not_the_workspace_text() -> None:
    request = ChatRequest(
        system="Articles: write to support@shop.example for refunds.",
        messages=[ChatMessage("user", "I'm ann@example.com"), ChatMessage("assistant", "Hi!")],
        question="I'm ann@example.com",
        rounds=(
            ToolRound(
                "Looking up order 1002 for ann@example.com",
                (ToolCall("get_order_status", {"order_number": "1002"}),),
                ({"number": "1002", "email": "ann@example.com", "tracking": "1Z999AA10123456784"},),
            ),
        ),
        pii_region="US",
    )
    out = masked(request)
    assert out.system == request.system  # the workspace's own address stays
    assert [m.content for m in out.messages] == ["I'm [email]", "Hi!"]
    assert out.question == "I'm [email]"
    [round_] = out.rounds
    assert round_.text == "Looking up order 1002 for [email]"
    assert round_.calls == request.rounds[0].calls
    assert round_.results == (
        {"number": "1002", "email": "[email]", "tracking": "1Z999AA10123456784"},
    )
    assert masked(ChatRequest(system="", messages=[], question="ann@example.com")).question == (
        "ann@example.com"  # no pii_region: the workspace did not ask
    )
