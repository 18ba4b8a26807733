"""Signed, expiring media URLs in nginx `secure_link` form, so nginx can check them without the app."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time

from campusguard.config import Settings
from campusguard.core.crypto import derive_key

MEDIA_PREFIX = "/api/v1/video/media"
_SCOPE = re.compile(r"^(live|rec)/cam\d+$")


def media_secret(settings: Settings) -> str:
    """The secret shared with nginx (CG_VIDEO_MEDIA_SECRET, else derived from the platform secret)."""
    if settings.video_media_secret is not None:
        return settings.video_media_secret.get_secret_value()
    return derive_key(settings.secret(), "video-media-link").hex()


def secure_link_md5(secret: str, expires: int, scope: str) -> str:
    """nginx: `secure_link_md5 "$exp/$scope <secret>"`; base64url MD5 without padding."""
    digest = hashlib.md5(f"{expires}/{scope} {secret}".encode(), usedforsecurity=False).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def media_url(secret: str, scope: str, rest: str, ttl_s: int, now: float | None = None) -> tuple[str, int]:
    """A path under which every file of `scope` (live/camN or rec/camN) is readable until expiry."""
    if not _SCOPE.match(scope):
        raise ValueError(f"bad media scope {scope!r}")
    expires = int((now or time.time()) + ttl_s)
    sig = secure_link_md5(secret, expires, scope)
    return f"{MEDIA_PREFIX}/{sig}/{expires}/{scope}/{rest}", expires


def check_media(secret: str, sig: str, expires: str, scope: str, now: float | None = None) -> str | None:
    """None when valid; otherwise the reason (`invalid`, `expired`), like nginx's "" and "0"."""
    if not expires.isdigit() or not _SCOPE.match(scope):
        return "invalid"
    if not hmac.compare_digest(secure_link_md5(secret, int(expires), scope), sig):
        return "invalid"
    if int(expires) < (now or time.time()):
        return "expired"
    return None


def sign_query(settings: Settings, message: str) -> str:
    """HMAC for app-generated URLs (VOD playlists, downloads) whose parameters must not change."""
    key = derive_key(settings.secret(), "video-query")
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()[:32]


def check_query(settings: Settings, message: str, sig: str) -> bool:
    return hmac.compare_digest(sign_query(settings, message), sig)
