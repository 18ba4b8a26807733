"""Signed JSON webhooks: HMAC-SHA256 over timestamp and body, so receivers can check origin and freshness."""

from __future__ import annotations

import time

from campusguard.core.crypto import sign, verify_signature

SIGNATURE_HEADER = "X-CampusGuard-Signature"
TIMESTAMP_HEADER = "X-CampusGuard-Timestamp"
EVENT_HEADER = "X-CampusGuard-Event"
DELIVERY_HEADER = "X-CampusGuard-Delivery"
DEFAULT_TOLERANCE_S = 300


def _message(timestamp: int, body: bytes) -> bytes:
    return str(timestamp).encode() + b"." + body


def signature_headers(secret: str, body: bytes, *, now: float | None = None) -> dict[str, str]:
    """Headers a receiver needs to verify the body: `t=<unix>,v1=<hex hmac>` like Stripe and GitHub."""
    ts = int(now if now is not None else time.time())
    return {TIMESTAMP_HEADER: str(ts), SIGNATURE_HEADER: f"t={ts},v1={sign(secret, _message(ts, body))}"}


def verify(
    secret: str, body: bytes, header: str, *, tolerance_s: int = DEFAULT_TOLERANCE_S, now: float | None = None
) -> bool:
    """Receiver side: accept only a matching signature made within the tolerance window (no replays)."""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    try:
        ts = int(parts["t"])
    except (KeyError, ValueError):
        return False
    current = now if now is not None else time.time()
    if abs(current - ts) > tolerance_s:
        return False
    candidate = parts.get("v1", "")
    return bool(candidate) and verify_signature(secret, _message(ts, body), candidate)
