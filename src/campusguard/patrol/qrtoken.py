"""Signed checkpoint QR tokens: a printed code proves which checkpoint, which print run, until when."""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import UTC, datetime

from campusguard.core.crypto import derive_key

PREFIX = "CGQ1"
SIG_HEX = 24  # 96-bit truncated HMAC-SHA256: plenty for an online check, short enough to type
_TOKEN_RE = re.compile(rf"^{PREFIX}\.(\d{{1,12}})\.(\d{{1,6}})\.(\d{{1,12}})\.([0-9a-f]{{{SIG_HEX}}})$")


class TokenError(ValueError):
    """Why a scanned token is refused; `reason` is a stable code recorded on the anomaly."""

    def __init__(self, reason: str, detail: str, checkpoint_id: int | None = None) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.checkpoint_id = checkpoint_id


@dataclass(frozen=True)
class TokenClaims:
    """What a token says once its signature checks out."""

    checkpoint_id: int
    version: int
    expires_at: datetime


def _key(secret: str) -> bytes:
    return derive_key(secret, "patrol-qr")


def _sig(secret: str, checkpoint_id: int, version: int, expires: int) -> str:
    msg = f"{PREFIX}.{checkpoint_id}.{version}.{expires}".encode()
    return hmac.new(_key(secret), msg, hashlib.sha256).hexdigest()[:SIG_HEX]


def issue(secret: str, *, checkpoint_id: int, version: int, expires_at: datetime) -> str:
    """Token printed on the checkpoint's QR code."""
    expires = int(expires_at.timestamp())
    return f"{PREFIX}.{checkpoint_id}.{version}.{expires}.{_sig(secret, checkpoint_id, version, expires)}"


SHORT_DIGITS = 6
_SHORT_RE = re.compile(rf"^(\d{{1,9}})-(\d{{{SHORT_DIGITS}}})$")


def short_code(secret: str, *, checkpoint_id: int, version: int, expires_at: datetime) -> str:
    """The code printed under the QR for typing when the camera cannot read it (bound to this print run)."""
    msg = f"{PREFIX}.short.{checkpoint_id}.{version}.{int(expires_at.timestamp())}".encode()
    number = int.from_bytes(hmac.new(_key(secret), msg, hashlib.sha256).digest()[:8], "big")
    return f"{checkpoint_id}-{number % 10 ** SHORT_DIGITS:0{SHORT_DIGITS}d}"


def parse_short(text: str) -> int | None:
    """The checkpoint id of something shaped like a typed short code (spaces and dash variants allowed)."""
    cleaned = re.sub(r"\s+", "", text).replace("—", "-").replace("－", "-").replace("–", "-")
    m = _SHORT_RE.match(cleaned)
    return int(m.group(1)) if m else None


def normalise_short(text: str) -> str:
    return re.sub(r"\s+", "", text).replace("—", "-").replace("－", "-").replace("–", "-")


def parse(token: str) -> tuple[int, int, int, str]:
    """Split a token into its fields, refusing anything that is not exactly our format."""
    m = _TOKEN_RE.match(token.strip())
    if m is None:
        raise TokenError("malformed", "this is not a CampusGuard checkpoint code")
    return int(m.group(1)), int(m.group(2)), int(m.group(3)), m.group(4)


def verify(secret: str, token: str, *, now: datetime, current_version: int | None = None) -> TokenClaims:
    """Check signature, expiry and (when known) the checkpoint's current print version."""
    checkpoint_id, version, expires, sig = parse(token)
    if not hmac.compare_digest(_sig(secret, checkpoint_id, version, expires), sig):
        raise TokenError("forged", "the code's signature does not match", checkpoint_id)
    claims = TokenClaims(checkpoint_id, version, datetime.fromtimestamp(expires, UTC))
    if now >= claims.expires_at:
        raise TokenError("expired", "this printed code has expired; print a new sheet", checkpoint_id)
    if current_version is not None and version != current_version:
        raise TokenError(
            "rotated", f"code version {version} was replaced by version {current_version}", checkpoint_id
        )
    return claims
