"""AES-256-GCM encryption at rest, under the master key (``BATON_MASTER_KEY``).

Two shapes, one master key:

- ``Envelope``: a secret with its own random data key, wrapped by the master key (provider
  API keys, webhook and tool secrets, the identity secret). Rotation re-wraps the key part.
- ``Keyring``: the workspace's data keys (table ``data_keys``, each wrapped by the master
  key) that seal the bulk of what is private — message bodies, notes, visitor details —
  through the ``EncryptedText`` column type, plus the search key of the blind index
  (``search_tokens``). The unwrapped keys live in this process's memory only.

The master key is known by a fingerprint (an HMAC of a fixed label, never the key), so a
data key says which master wrapped it and a start-up with the wrong key fails clearly.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import operators

VERSION = "v1"
# a sealed column value: PREFIX + key id + "$" + base64url(nonce | ciphertext | tag)
SEALED_PREFIX = "bx1$"


class KeyringError(RuntimeError):
    """The master key cannot open the stored data keys (or none were loaded)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def fingerprint(master_key: bytes) -> str:
    """A public name for a master key: which one wrapped a data key, without revealing it."""
    return hmac.new(master_key, b"baton master key fingerprint", hashlib.sha256).hexdigest()[:16]


def parse_master_keys(raw: str | None) -> tuple[bytes, ...]:
    """``BATON_PREVIOUS_MASTER_KEYS``: comma-separated base64 keys of 32 bytes each."""
    keys = []
    for i, part in enumerate(p.strip() for p in (raw or "").split(",")):
        if not part:
            continue
        try:
            key = base64.b64decode(part, validate=True)
        except ValueError as exc:
            raise ValueError(f"BATON_PREVIOUS_MASTER_KEYS entry {i + 1} is not base64") from exc
        if len(key) != 32:
            raise ValueError(f"BATON_PREVIOUS_MASTER_KEYS entry {i + 1} is not 32 bytes")
        keys.append(key)
    return tuple(keys)


class Envelope:
    def __init__(self, master_key: bytes, previous: Sequence[bytes] = ()) -> None:
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes")
        self._master = AESGCM(master_key)
        self._previous = [AESGCM(k) for k in previous if k != master_key]

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        data_key = AESGCM.generate_key(bit_length=256)
        key_nonce, data_nonce = os.urandom(12), os.urandom(12)
        aad = context.encode()
        wrapped = self._master.encrypt(key_nonce, data_key, aad)
        sealed = AESGCM(data_key).encrypt(data_nonce, plaintext.encode(), aad)
        return ".".join([VERSION, _b64(key_nonce), _b64(wrapped), _b64(data_nonce), _b64(sealed)])

    def _unwrap(self, key_nonce: bytes, wrapped: bytes, aad: bytes) -> tuple[bytes, bool]:
        """The data key, and whether the current master wrapped it."""
        try:
            return self._master.decrypt(key_nonce, wrapped, aad), True
        except InvalidTag:
            for old in self._previous:
                try:
                    return old.decrypt(key_nonce, wrapped, aad), False
                except InvalidTag:
                    continue
            raise

    def decrypt(self, token: str, *, context: str = "") -> str:
        version, key_nonce, wrapped, data_nonce, sealed = token.split(".")
        if version != VERSION:
            raise ValueError(f"unknown envelope version {version}")
        aad = context.encode()
        data_key, _ = self._unwrap(_unb64(key_nonce), _unb64(wrapped), aad)
        return AESGCM(data_key).decrypt(_unb64(data_nonce), _unb64(sealed), aad).decode()

    def rewrap(self, token: str, *, context: str = "") -> str | None:
        """The same secret with its data key wrapped by the current master; None when it
        already is (so a rotation that stopped half-way can simply run again)."""
        version, key_nonce, wrapped, data_nonce, sealed = token.split(".")
        if version != VERSION:
            raise ValueError(f"unknown envelope version {version}")
        aad = context.encode()
        data_key, current = self._unwrap(_unb64(key_nonce), _unb64(wrapped), aad)
        if current:
            return None
        new_nonce = os.urandom(12)
        rewrapped = self._master.encrypt(new_nonce, data_key, aad)
        return ".".join([VERSION, _b64(new_nonce), _b64(rewrapped), data_nonce, sealed])


# -- the blind index -----------------------------------------------------------------------
MIN_PREFIX = 3  # query words of 3+ characters match the words they begin
MAX_TOKEN = 32  # longer words are indexed (and searched) by their first 32 characters
MAX_TOKENS = 4096  # per message or visitor: a 10,000-character message stays bounded
_WORD = re.compile(r"\w+")


def normalise(text: str) -> str:
    """Lower case with accents folded: "Crème BRÛLÉE" -> "creme brulee"."""
    if text.isascii():
        return text.lower()  # most messages: no decomposition to do
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return [w[:MAX_TOKEN] for w in _WORD.findall(normalise(text))]


_SHA256_BLOCK = 64


class TermHasher:
    """HMAC-SHA256 (RFC 2104) under one key, its first 64 bits as a signed BIGINT.

    The key's inner and outer padded blocks are hashed once; a term then costs two copies of
    those SHA-256 states, about a quarter of ``hmac.HMAC.copy()`` and its wrapper (a message
    hashes ~40 terms: this was the inbound path's largest CPU cost after the handoff check).
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > _SHA256_BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(_SHA256_BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))

    def __call__(self, term: str) -> int:
        inner = self._inner.copy()
        inner.update(term.encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        return int.from_bytes(outer.digest()[:8], "big", signed=True)


# -- the workspace keyring -----------------------------------------------------------------
class Keyring:
    """This process's unwrapped data keys (one ``install`` per start; reads never hit the
    database). Sealing uses the active key; opening finds the key named in the value."""

    def __init__(self) -> None:
        self._keys: dict[str, AESGCM] = {}
        self._active: str | None = None
        self._search: TermHasher | None = None

    @property
    def loaded(self) -> bool:
        return self._active is not None and self._search is not None

    def install(self, keys: dict[str, bytes], active: str, search_key: bytes) -> None:
        self._keys.update({kid: AESGCM(k) for kid, k in keys.items()})
        self._active = active
        self._search = TermHasher(search_key)

    def clear(self) -> None:
        self._keys.clear()
        self._active = None
        self._search = None

    def seal(self, plaintext: str, aad: str) -> str:
        if self._active is None:
            raise KeyringError("the data keys are not loaded (Keyring.install was not called)")
        nonce = os.urandom(12)
        sealed = self._keys[self._active].encrypt(nonce, plaintext.encode(), aad.encode())
        return f"{SEALED_PREFIX}{self._active}${_b64(nonce + sealed)}"

    def open(self, value: str, aad: str) -> str:
        if not value.startswith(SEALED_PREFIX):
            return value  # written before encryption (``baton keys encrypt-existing`` seals it)
        key_id, _, body = value[len(SEALED_PREFIX) :].partition("$")
        key = self._keys.get(key_id)
        if key is None:
            raise KeyringError(f"data key {key_id!r} is not loaded in this process")
        raw = _unb64(body)
        return key.decrypt(raw[:12], raw[12:], aad.encode()).decode()

    def terms(self, texts: Iterable[str | None]) -> list[int]:
        """The blind index of some text: one hash per distinct word and word prefix."""
        if self._search is None:
            raise KeyringError("the search key is not loaded")
        found: set[str] = set()
        for text in texts:
            if not text:
                continue
            for word in words(text):
                found.add(word)
                found.update(word[:n] for n in range(MIN_PREFIX, len(word)))
        ordered = sorted(found)[:MAX_TOKENS] if len(found) > MAX_TOKENS else found
        return list(map(self._search, ordered))

    def query_terms(self, query: str) -> list[int]:
        """What a search must match, all of it: one hash per distinct query word."""
        if self._search is None:
            raise KeyringError("the search key is not loaded")
        return sorted(set(map(self._search, words(query))))


_REFUSED = {
    operators.eq,
    operators.ne,
    operators.lt,
    operators.le,
    operators.gt,
    operators.ge,
    operators.like_op,
    operators.ilike_op,
    operators.notlike_op,
    operators.notilike_op,
    operators.contains_op,
    operators.startswith_op,
    operators.endswith_op,
    operators.in_op,
    operators.not_in_op,
    operators.between_op,
}

keyring = Keyring()  # the process's one keyring: column types have no other way to reach it


class EncryptedText(TypeDecorator[str]):
    """A text column stored sealed; the ORM (and any typed select) reads and writes plain
    text. ``aad`` (the column's name) binds a value to its column: a ciphertext copied into
    another column does not open. Comparisons on such a column cannot work (each seal is
    randomised): search goes through the blind index."""

    impl = Text
    cache_ok = True

    class comparator_factory(Text.Comparator[str]):
        """Refuse what would silently match nothing (``text == "x"``, ``LIKE``, ``IN``): a
        sealed value never equals its text. ``IS NULL`` still works."""

        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            if op in _REFUSED and not (op in (operators.eq, operators.ne) and other == (None,)):
                raise TypeError(
                    f"{self.expr} is sealed at rest: compare after reading it, or search "
                    "the blind index (conversations.queries.matches_search)"
                )
            return super().operate(op, *other, **kwargs)

    def __init__(self, aad: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aad = aad

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring.seal(value, self.aad)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else keyring.open(value, self.aad)


class EncryptedJSON(TypeDecorator[Any]):
    """A JSON document stored sealed (compact JSON, then as ``EncryptedText``); a document
    written before encryption reads as it is."""

    impl = Text
    cache_ok = True

    def __init__(self, aad: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.aad = aad

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring.seal(json.dumps(value, separators=(",", ":"), ensure_ascii=False), self.aad)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if not isinstance(value, str):  # a json column's value, already decoded by the driver
            return value
        return json.loads(keyring.open(value, self.aad))


def mask_secret(secret: str) -> str:
    """What a UI may show of a stored secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"
