"""Speaker drivers: how a broadcast's audio reaches one campus speaker, per device protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import httpx
import structlog

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class SpeakerTarget:
    """The registry facts a driver needs about one speaker device."""

    device_id: int
    code: str
    protocol: str
    settings: dict[str, object]
    secret: str | None


@dataclass(frozen=True)
class DeliveryResult:
    """Outcome of one play request; `detail` is kept on the delivery record."""

    ok: bool
    detail: str
    duration_s: float | None = None


class SpeakerDriver(Protocol):
    """A transport to speakers of one protocol."""

    def play(self, target: SpeakerTarget, audio: bytes, *, broadcast_id: int, title: str) -> DeliveryResult:
        """Send a WAV to the speaker and report whether it played."""
        ...


class HttpSpeakerDriver:
    """IP speakers with an HTTP play endpoint (settings `play_url`, or `base_url` + /speakers/{code}/play)."""

    def __init__(self, timeout_s: float = 10.0) -> None:
        self.timeout_s = timeout_s

    @staticmethod
    def url_for(target: SpeakerTarget) -> str:
        play_url = target.settings.get("play_url")
        if isinstance(play_url, str) and play_url:
            return play_url
        base = target.settings.get("base_url")
        if isinstance(base, str) and base:
            return f"{base.rstrip('/')}/speakers/{quote(target.code, safe='')}/play"
        raise ValueError("speaker has neither play_url nor base_url in its settings")

    def play(self, target: SpeakerTarget, audio: bytes, *, broadcast_id: int, title: str) -> DeliveryResult:
        try:
            url = self.url_for(target)
        except ValueError as exc:
            return DeliveryResult(False, str(exc))
        headers = {
            "content-type": "audio/wav",
            "x-broadcast-id": str(broadcast_id),
            "x-title": quote(title[:200], safe=""),
        }
        if target.secret:
            headers["authorization"] = f"Bearer {target.secret}"
        try:
            resp = httpx.post(url, content=audio, headers=headers, timeout=self.timeout_s)
        except httpx.HTTPError as exc:
            log.warning("speaker.unreachable", code=target.code, error=str(exc))
            return DeliveryResult(False, f"unreachable: {exc.__class__.__name__}")
        if resp.status_code != 200:
            log.warning("speaker.refused", code=target.code, status=resp.status_code)
            return DeliveryResult(False, f"HTTP {resp.status_code}: {resp.text[:200]}")
        try:
            body = resp.json()
            duration = float(body.get("duration_s")) if body.get("duration_s") is not None else None
        except (ValueError, TypeError, AttributeError):
            duration = None
        return DeliveryResult(True, "played", duration)


_drivers: dict[str, SpeakerDriver] = {"http": HttpSpeakerDriver()}


def register_driver(protocol: str, driver: SpeakerDriver) -> None:
    """Plug a transport in (a SIP paging gateway, a vendor cloud) without touching the service."""
    _drivers[protocol] = driver


def driver_for(protocol: str) -> SpeakerDriver | None:
    return _drivers.get(protocol)
