"""The primitives: sealed values bound to their column, envelopes re-wrapped, the index's words."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

import pytest
from cryptography.exceptions import InvalidTag

from baton.kit.crypto import (
    MIN_PREFIX,
    SEALED_PREFIX,
    Envelope,
    Keyring,
    KeyringError,
    TermHasher,
    parse_master_keys,
    words,
)


def _ring() -> Keyring:
    ring = Keyring()
    ring.install({"dtest": secrets.token_bytes(32)}, "dtest", secrets.token_bytes(32))
    return ring


def test_a_sealed_value_opens_only_in_its_own_column() -> None:
    ring = _ring()
    sealed = ring.seal("hello ✓", "messages.text")
    assert sealed.startswith(f"{SEALED_PREFIX}dtest$") and "hello" not in sealed
    assert sealed != ring.seal("hello ✓", "messages.text")  # a fresh nonce every time
    assert ring.open(sealed, "messages.text") == "hello ✓"
    with pytest.raises(InvalidTag):
        ring.open(sealed, "visitors.email")  # copied into another column: refused
    assert ring.open("written before encryption", "messages.text") == "written before encryption"


def test_an_unloaded_or_unknown_key_is_a_clear_error() -> None:
    with pytest.raises(KeyringError):
        Keyring().seal("x", "messages.text")
    other = _ring().seal("x", "messages.text").replace("dtest", "dgone")
    with pytest.raises(KeyringError, match="dgone"):
        _ring().open(other, "messages.text")


def test_envelopes_rewrap_under_the_new_master_and_only_once() -> None:
    old, new = secrets.token_bytes(32), secrets.token_bytes(32)
    token = Envelope(old).encrypt("sk-123", context="ai_provider:1")
    rotating = Envelope(new, [old])
    assert rotating.decrypt(token, context="ai_provider:1") == "sk-123"
    rewrapped = rotating.rewrap(token, context="ai_provider:1")
    assert rewrapped is not None and rotating.rewrap(rewrapped, context="ai_provider:1") is None
    assert Envelope(new).decrypt(rewrapped, context="ai_provider:1") == "sk-123"
    with pytest.raises(InvalidTag):
        Envelope(old).decrypt(rewrapped, context="ai_provider:1")
    with pytest.raises(InvalidTag):
        Envelope(new).decrypt(rewrapped, context="ai_provider:2")


def test_index_words_fold_case_and_accents_and_match_prefixes() -> None:
    assert words("Crème BRÛLÉE, jane.doe@example.org!") == [
        "creme",
        "brulee",
        "jane",
        "doe",
        "example",
        "org",
    ]
    ring = _ring()
    indexed = set(ring.terms(["Refunded"]))
    assert set(ring.query_terms("refund")) <= indexed  # a prefix of 3+ characters
    assert set(ring.query_terms("REFUNDED")) <= indexed
    assert not set(ring.query_terms("fund")) <= indexed  # not any substring
    assert not set(ring.query_terms("re")) <= indexed  # shorter prefixes are not indexed
    assert MIN_PREFIX == 3
    assert ring.query_terms("  ,, ") == []


def test_previous_master_keys_are_validated() -> None:
    good = secrets.token_bytes(32)
    raw = f"{base64.b64encode(good).decode()}, "
    assert parse_master_keys(raw) == (good,)
    with pytest.raises(ValueError, match="entry 1"):
        parse_master_keys(base64.b64encode(b"short").decode())
    with pytest.raises(ValueError, match="not base64"):
        parse_master_keys("not*base64")


def test_json_documents_are_sealed_whole() -> None:
    from baton.kit.crypto import EncryptedJSON, keyring

    column = EncryptedJSON("webhook_deliveries.payload")
    saved = (keyring._keys.copy(), keyring._active, keyring._search)  # the suite's, if loaded
    keyring.install({"djson": secrets.token_bytes(32)}, "djson", secrets.token_bytes(32))
    try:
        doc = {"data": {"message": {"text": "Where is parcel 77? ✓"}}}
        stored = column.process_bind_param(doc, None)  # type: ignore[arg-type]
        assert stored is not None and stored.startswith(SEALED_PREFIX) and "parcel" not in stored
        assert column.process_result_value(stored, None) == doc  # type: ignore[arg-type]
        assert column.process_result_value('{"old": true}', None) == {"old": True}  # type: ignore[arg-type]
    finally:
        keyring._keys, keyring._active, keyring._search = saved


@pytest.mark.parametrize("key_length", [1, 32, 63, 64, 65, 200])
def test_index_terms_are_hmac_sha256_whatever_the_key_length(key_length: int) -> None:
    # the index stores these hashes: they must stay HMAC-SHA256's first 64 bits, exactly
    key = secrets.token_bytes(key_length)
    hasher = TermHasher(key)
    for term in ("", "a", "crème", "x" * 200, "passw"):
        mac = hmac.new(key, term.encode(), hashlib.sha256).digest()
        assert hasher(term) == int.from_bytes(mac[:8], "big", signed=True)
