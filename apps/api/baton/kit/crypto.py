"""AES-256-GCM envelope encryption for secrets at rest (provider API keys and the like).

Each secret gets its own random data key; the data key is wrapped by the master key
(``BATON_MASTER_KEY``). Rotating the master key re-wraps data keys, not the secrets.
"""

from __future__ import annotations

import base64
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

VERSION = "v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Envelope:
    def __init__(self, master_key: bytes) -> None:
        if len(master_key) != 32:
            raise ValueError("master key must be 32 bytes")
        self._master = AESGCM(master_key)

    def encrypt(self, plaintext: str, *, context: str = "") -> str:
        data_key = AESGCM.generate_key(bit_length=256)
        key_nonce, data_nonce = os.urandom(12), os.urandom(12)
        aad = context.encode()
        wrapped = self._master.encrypt(key_nonce, data_key, aad)
        sealed = AESGCM(data_key).encrypt(data_nonce, plaintext.encode(), aad)
        return ".".join([VERSION, _b64(key_nonce), _b64(wrapped), _b64(data_nonce), _b64(sealed)])

    def decrypt(self, token: str, *, context: str = "") -> str:
        version, key_nonce, wrapped, data_nonce, sealed = token.split(".")
        if version != VERSION:
            raise ValueError(f"unknown envelope version {version}")
        aad = context.encode()
        data_key = self._master.decrypt(_unb64(key_nonce), _unb64(wrapped), aad)
        return AESGCM(data_key).decrypt(_unb64(data_nonce), _unb64(sealed), aad).decode()


def mask_secret(secret: str) -> str:
    """What a UI may show of a stored secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) > 8 else "…"
