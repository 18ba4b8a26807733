"""Encryption at rest for credentials and biometrics, and hashing of bearer tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import LargeBinary, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class _Keyring:
    """Process-wide data keys; the first encrypts, all decrypt (so keys can rotate)."""

    fernet: MultiFernet | None = None


_keyring = _Keyring()


def derive_key(secret: str, purpose: str) -> bytes:
    """Derive a 32-byte subkey for one purpose so a leak of one does not expose the others."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"campusguard", info=purpose.encode())
    return hkdf.derive(secret.encode())


def configure(*secrets_: str) -> None:
    """Install data keys (newest first) derived from the given secrets."""
    keys = [Fernet(base64.urlsafe_b64encode(derive_key(s, "data-at-rest"))) for s in secrets_]
    _keyring.fernet = MultiFernet(keys)


def _fernet() -> MultiFernet:
    if _keyring.fernet is None:
        raise RuntimeError("encryption keys not configured (core.crypto.configure)")
    return _keyring.fernet


def encrypt(data: bytes) -> bytes:
    return _fernet().encrypt(data)


def decrypt(token: bytes) -> bytes:
    try:
        return _fernet().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: wrong data key or tampered value") from exc


class EncryptedBytes(TypeDecorator[bytes]):
    """Binary column encrypted with the data key (biometric templates, thumbnails)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else encrypt(value)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        return None if value is None else decrypt(value)


class EncryptedText(TypeDecorator[str]):
    """Text column encrypted with the data key (device passwords, RTSP credentials, ID numbers)."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else encrypt(value.encode()).decode()

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else decrypt(value.encode()).decode()


def new_token(prefix: str) -> str:
    """A random bearer token with a readable prefix (cgd_ device, cgi_ integrator)."""
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def hash_token(token: str) -> str:
    """SHA-256 of a high-entropy token: enough for lookup, useless if the table leaks."""
    return hashlib.sha256(token.encode()).hexdigest()


def sign(secret: str | bytes, message: bytes) -> str:
    """HMAC-SHA256 hex signature used by webhooks, QR tokens and signed URLs."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def verify_signature(secret: str | bytes, message: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, message), signature)
