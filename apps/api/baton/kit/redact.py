"""Masking personal data in text that leaves the database: log records and, when a
workspace asks for it, what LLM providers are sent.

Each kind is found by a pattern and then *validated*, so ordinary numbers survive:

- emails: ``local@domain.tld``;
- IBANs: country code, check digits, the country's length and the mod-97 checksum
  (python-stdnum);
- card numbers: 13-19 digits (spaces or dashes between) with a known issuer prefix and a
  valid Luhn checksum (python-stdnum);
- US social security numbers written ``AAA-GG-SSSS`` (python-stdnum's rules);
- phone numbers: valid for their country per Google's libphonenumber (``phonenumbers``):
  written internationally (``+44 20 7946 0958``), or in the default region's format with
  separators (``(415) 555-0132``); a bare run of digits counts only right after a word like
  "call" or "phone". Digits glued to letters or dashes (``INV-2026-000123``, ids, hashes),
  dates, times, prices and order numbers are not phone numbers.

Everything matched becomes ``[email]``, ``[iban]``, ``[card]``, ``[ssn]`` or ``[phone]``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import phonenumbers
from stdnum import iban as _iban
from stdnum import luhn
from stdnum.us import ssn as _ssn

DEFAULT_REGION = "US"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}\b")
# country code, check digits, then groups: tried longest first, validated
_IBAN = re.compile(r"(?<![\w-])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,32}")
_CARD = re.compile(r"(?<![\w.,-])\d(?:[ -]?\d){12,18}(?![\w-]|[.,]\d)")
_SSN = re.compile(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])")
# a phone candidate: optional +, digits with spaces, dots, dashes or parentheses between
_PHONE = re.compile(r"(?<![\w+/#.,:-])(?:\+|\(\+?)?\d(?:[ .()-]{0,3}\d){5,16}(?:\))?")
_PHONE_CUE = re.compile(
    r"(?:call|phone|tel|telephone|mobile|cell|whatsapp|sms|text|reach)"
    r"(?:\s+(?:me|us))?(?:\s+(?:at|on))?\W{0,4}$",
    re.IGNORECASE,
)
_SEPARATED = re.compile(r"\d[ .()-]+\d")
_AFTER_PHONE = re.compile(r"[\w/-]|[.,]\d")

# issuer prefixes (IIN ranges) and lengths of the major card networks
_CARD_RULES: tuple[tuple[re.Pattern[str], frozenset[int]], ...] = (
    (re.compile(r"^4"), frozenset({13, 16, 19})),  # Visa
    (re.compile(r"^(5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720))"), frozenset({16})),  # Mastercard
    (re.compile(r"^3[47]"), frozenset({15})),  # American Express
    (re.compile(r"^(6011|65|64[4-9]|622)"), frozenset({16, 19})),  # Discover
    (re.compile(r"^35(2[89]|[3-8]\d)"), frozenset({16, 19})),  # JCB
    (re.compile(r"^(30[0-5]|36|38|39)"), frozenset({14, 16})),  # Diners Club
    (re.compile(r"^62"), frozenset({16, 17, 18, 19})),  # UnionPay
    (re.compile(r"^(5018|5020|5038|5893|6304|6759|676[1-3])"), frozenset(range(12, 20))),
)


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def is_card_number(text: str) -> bool:
    digits = _digits(text)
    if not 13 <= len(digits) <= 19:
        return False
    if not any(p.match(digits) and len(digits) in sizes for p, sizes in _CARD_RULES):
        return False
    return bool(luhn.is_valid(digits))


def _mask_ibans(text: str) -> str:
    out: list[str] = []
    last = 0
    for m in _IBAN.finditer(text):
        if m.start() < last:
            continue
        # the longest prefix (whole space-separated groups) that is a valid IBAN
        raw = m.group()
        cut = len(raw)
        while cut >= 15:
            candidate = raw[:cut]
            after = text[m.start() + cut : m.start() + cut + 1]
            if not (after.isalnum()) and _iban.is_valid(candidate):
                out.append(text[last : m.start()])
                out.append("[iban]")
                last = m.start() + cut
                break
            space = raw.rfind(" ", 0, cut)
            cut = space if space > 0 else cut - 1
    out.append(text[last:])
    return "".join(out)


def _card(m: re.Match[str]) -> str:
    return "[card]" if is_card_number(m.group()) else m.group()


def _ssn_of(m: re.Match[str]) -> str:
    return "[ssn]" if _ssn.is_valid(m.group()) else m.group()


@lru_cache(maxsize=32)
def _phone_checker(region: str) -> Callable[[str], bool]:
    def valid(candidate: str) -> bool:
        try:
            number = phonenumbers.parse(candidate, None if candidate.startswith("+") else region)
        except phonenumbers.NumberParseException:
            return False
        return bool(phonenumbers.is_valid_number(number))

    return valid


def _mask_phones(text: str, region: str) -> str:
    valid = _phone_checker(region)
    out: list[str] = []
    last = 0
    for m in _PHONE.finditer(text):
        raw = m.group().rstrip(" .-")
        end = m.start() + len(raw)
        if raw.count("(") != raw.count(")"):
            raw = raw.rstrip(")") if raw.count(")") > raw.count("(") else raw
            end = m.start() + len(raw)
        if not 7 <= len(_digits(raw)) <= 15 or _AFTER_PHONE.match(text, end):
            continue  # too short or long, or glued to a word, a path or a decimal: an id
        international = raw.lstrip("(").startswith("+")
        if not (
            international
            or _SEPARATED.search(raw)
            or _PHONE_CUE.search(text[max(0, m.start() - 24) : m.start()])
        ):
            continue
        if not valid(raw):
            continue
        out.append(text[last : m.start()])
        out.append("[phone]")
        last = end
    out.append(text[last:])
    return "".join(out)


def redact(text: str, *, region: str = DEFAULT_REGION) -> str:
    """``text`` with emails, IBANs, card numbers, SSNs and phone numbers masked."""
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    if sum(ch.isdigit() for ch in text) < 7:
        return text  # every other kind has at least 7 digits
    text = _mask_ibans(text)
    text = _CARD.sub(_card, text)
    text = _SSN.sub(_ssn_of, text)
    return _mask_phones(text, region)


def redact_value(value: Any, *, region: str = DEFAULT_REGION) -> Any:
    """``redact`` through the strings of a JSON-like value (dicts, lists, tuples); keys stay."""
    if isinstance(value, str):
        return redact(value, region=region)
    if isinstance(value, dict):
        return {k: redact_value(v, region=region) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(redact_value(v, region=region) for v in value)
    return value
