"""Safety broadcasts to campus speakers: TTS or a recording, now or later, a delivery record per speaker."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from campusguard.bulletin import tts
from campusguard.bulletin.drivers import SpeakerTarget, driver_for
from campusguard.bulletin.events import BroadcastFinished
from campusguard.bulletin.models import Broadcast, BroadcastDelivery
from campusguard.bulletin.schemas import BroadcastIn
from campusguard.bus.outbox import publish
from campusguard.core import audit, jobs
from campusguard.core.auth import Principal
from campusguard.core.db import Database, utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound, PayloadTooLarge, ProblemError
from campusguard.core.scope import allowed_school_ids, check_school
from campusguard.device import service as devices
from campusguard.device.models import Device
from campusguard.org import service as org

log = structlog.get_logger(__name__)
SEND_JOB = "bulletin.broadcast.send"
MAX_ATTEMPTS = 3
RETRY_AFTER_S = 30
MAX_RECORDING_BYTES = 20 * 1024 * 1024
MAX_SCHEDULE_AHEAD = timedelta(days=60)


class UnsupportedAudio(ProblemError):
    status, title, code = 415, "Unsupported media type", "unsupported_audio"


def to_wav(data: bytes, timeout_s: float = 60.0) -> bytes:
    """Accept a WAV as is; anything else ffmpeg can decode becomes 16 kHz mono PCM WAV."""
    if len(data) > MAX_RECORDING_BYTES:
        raise PayloadTooLarge("recordings are limited to 20 MB", code="recording_too_large")
    try:
        tts.wav_duration_s(data)
        return data
    except ValueError:
        pass
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise UnsupportedAudio("only WAV recordings are accepted on this server")
    with tempfile.TemporaryDirectory(prefix="cg-rec-") as tmp:
        src, dst = Path(tmp) / "in", Path(tmp) / "out.wav"
        src.write_bytes(data)
        proc = subprocess.run(
            [
                ffmpeg,
                "-nostdin",
                "-hide_banner",
                "-loglevel",
                "error",
                "-i",
                str(src),
                "-vn",
                "-ac",
                "1",
                "-ar",
                "16000",
                "-c:a",
                "pcm_s16le",
                "-t",
                "600",
                str(dst),
            ],
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
        if proc.returncode != 0 or not dst.exists():
            raise UnsupportedAudio("the upload is not a playable audio recording")
        wav = dst.read_bytes()
    try:
        if tts.wav_duration_s(wav) <= 0:
            raise UnsupportedAudio("the recording is empty")
    except ValueError as exc:
        raise UnsupportedAudio("the recording could not be converted") from exc
    return wav


def _targets(
    session: Session, principal: Principal, school_codes: list[str], device_ids: list[int]
) -> tuple[list[int], list[Device]]:
    schools = [org.get_school_by_code(session, principal, c) for c in sorted(set(school_codes))]
    for s in schools:
        check_school(session, principal, s.id)
    ids = [s.id for s in schools]
    stmt = devices.device_query(session, principal, type_="speaker").where(
        Device.school_id.in_(ids), Device.installed.is_(True)
    )
    speakers = [d for d, _code in session.execute(stmt).tuples().all()]
    if device_ids:
        wanted = set(device_ids)
        unknown = wanted - {d.id for d in speakers}
        if unknown:
            raise BadRequest(
                f"devices {sorted(unknown)} are not speakers of these schools", code="unknown_speaker"
            )
        speakers = [d for d in speakers if d.id in wanted]
    if not speakers:
        raise Conflict("no speaker is registered at these schools", code="no_speaker")
    return ids, speakers


def _create(
    session: Session,
    principal: Principal,
    *,
    title: str,
    source: str,
    text: str | None,
    voice: str | None,
    audio: bytes,
    school_codes: list[str],
    device_ids: list[int],
    scheduled_at: datetime | None,
) -> Broadcast:
    now = utcnow()
    when = scheduled_at or now
    if when.tzinfo is None:
        raise BadRequest("scheduled_at needs a timezone", code="naive_time")
    if when < now - timedelta(minutes=1) or when > now + MAX_SCHEDULE_AHEAD:
        raise BadRequest("schedule between now and 60 days ahead", code="bad_schedule")
    school_ids, speakers = _targets(session, principal, school_codes, device_ids)
    b = Broadcast(
        title=title,
        source=source,
        text=text,
        voice=voice,
        audio=audio,
        audio_sha256=hashlib.sha256(audio).hexdigest(),
        duration_s=round(tts.wav_duration_s(audio), 2),
        school_ids=school_ids,
        device_ids=[d.id for d in speakers],
        scheduled_at=when,
        status="scheduled",
        created_by=principal.id,
        created_by_name=principal.name,
    )
    session.add(b)
    session.flush()
    session.add_all(
        [
            BroadcastDelivery(broadcast_id=b.id, device_id=d.id, device_code=d.code, school_id=d.school_id)
            for d in speakers
        ]
    )
    jobs.schedule(
        session, kind=SEND_JOB, run_at=when, payload={"broadcast_id": b.id}, key=f"broadcast:{b.id}"
    )
    audit.record(
        session,
        principal=principal,
        action="broadcast.create",
        target_type="broadcast",
        target_id=b.id,
        detail={
            "title": title,
            "source": source,
            "speakers": len(speakers),
            "schools": school_ids,
            "scheduled_at": when.isoformat(),
            "text": text,
        },
    )
    return b


def create_tts(session: Session, principal: Principal, data: BroadcastIn) -> Broadcast:
    try:
        audio = tts.synthesize(data.text, voice=data.voice)
    except ValueError as exc:
        raise BadRequest(str(exc), code="bad_text") from exc
    except tts.TTSError as exc:
        raise ProblemError(str(exc), code="tts_unavailable", status=503) from exc
    return _create(
        session,
        principal,
        title=data.title,
        source="tts",
        text=data.text,
        voice=data.voice,
        audio=audio,
        school_codes=data.school_codes,
        device_ids=data.device_ids,
        scheduled_at=data.scheduled_at,
    )


def create_recording(
    session: Session,
    principal: Principal,
    *,
    title: str,
    data: bytes,
    school_codes: list[str],
    device_ids: list[int],
    scheduled_at: datetime | None,
) -> Broadcast:
    return _create(
        session,
        principal,
        title=title,
        source="recording",
        text=None,
        voice=None,
        audio=to_wav(data),
        school_codes=school_codes,
        device_ids=device_ids,
        scheduled_at=scheduled_at,
    )


def _visible(session: Session, principal: Principal, b: Broadcast) -> bool:
    ids = allowed_school_ids(session, principal)
    return ids is None or bool(ids & set(b.school_ids))


def get(session: Session, principal: Principal, broadcast_id: int) -> Broadcast:
    b = session.get(Broadcast, broadcast_id)
    if b is None or not _visible(session, principal, b):
        raise NotFound(f"broadcast {broadcast_id} not found")
    return b


def list_query(session: Session, principal: Principal) -> Select[Any]:
    stmt = select(Broadcast).order_by(Broadcast.id.desc())
    ids = allowed_school_ids(session, principal)
    if ids is None:
        return stmt
    mine = select(BroadcastDelivery.broadcast_id).where(BroadcastDelivery.school_id.in_(sorted(ids)))
    return stmt.where(or_(Broadcast.id.in_(mine), Broadcast.created_by == principal.id))


def deliveries(session: Session, broadcast_id: int) -> list[BroadcastDelivery]:
    return list(
        session.scalars(
            select(BroadcastDelivery)
            .where(BroadcastDelivery.broadcast_id == broadcast_id)
            .order_by(BroadcastDelivery.id)
        ).all()
    )


def cancel(session: Session, principal: Principal, broadcast_id: int) -> Broadcast:
    b = get(session, principal, broadcast_id)
    for sid in b.school_ids:
        check_school(session, principal, sid)
    if b.status != "scheduled":
        raise Conflict(f"broadcast is {b.status}", code="not_cancellable")
    jobs.cancel(session, key=f"broadcast:{b.id}")
    b.status = "cancelled"
    audit.record(
        session, principal=principal, action="broadcast.cancel", target_type="broadcast", target_id=b.id
    )
    return b


def deliver(db: Database, broadcast_id: int, attempt: int = 1) -> dict[str, int]:
    """Play the broadcast on each speaker still owed it; HTTP runs outside any open transaction."""
    with db.session() as s:
        b = s.get(Broadcast, broadcast_id)
        if b is None or b.status == "cancelled" or b.audio is None:
            return {"delivered": 0, "failed": 0}
        audio, title = b.audio, b.title
        owed = [d for d in deliveries(s, broadcast_id) if d.status != "delivered"]
        targets = {}
        for d in owed:
            dev = s.get(Device, d.device_id)
            if dev is not None:
                targets[d.id] = SpeakerTarget(
                    dev.id, dev.code, dev.protocol, dict(dev.settings or {}), dev.secret
                )
    results: dict[int, tuple[bool, str, float | None]] = {}
    for delivery_id, target in targets.items():
        driver = driver_for(target.protocol)
        if driver is None:
            results[delivery_id] = (False, f"no speaker driver for protocol {target.protocol}", None)
            continue
        r = driver.play(target, audio, broadcast_id=broadcast_id, title=title)
        results[delivery_id] = (r.ok, r.detail, r.duration_s)
    with db.session() as s:
        b = s.get(Broadcast, broadcast_id)
        if b is None:
            return {"delivered": 0, "failed": 0}
        now = utcnow()
        for d in deliveries(s, broadcast_id):
            if d.id not in results:
                if d.status != "delivered":
                    d.status, d.detail = "failed", "speaker removed from the registry"
                continue
            ok, detail, played = results[d.id]
            d.attempts += 1
            d.detail = detail[:300]
            if ok:
                d.status, d.delivered_at, d.played_s = "delivered", now, played
            else:
                d.status = "failed"
        rows = deliveries(s, broadcast_id)
        delivered = sum(d.status == "delivered" for d in rows)
        failed = len(rows) - delivered
        retry = (
            failed
            and attempt < MAX_ATTEMPTS
            and any(d.attempts < MAX_ATTEMPTS for d in rows if d.status == "failed")
        )
        b.status = "done" if not failed else ("sending" if retry else ("partial" if delivered else "failed"))
        b.detail = {**(b.detail or {}), "attempts": attempt, "finished_at": now.isoformat()}
        if retry:
            jobs.schedule(
                s,
                kind=SEND_JOB,
                run_at=now + timedelta(seconds=RETRY_AFTER_S),
                payload={"broadcast_id": b.id, "attempt": attempt + 1},
                key=f"broadcast:{b.id}:{attempt + 1}",
            )
        else:
            for sid in b.school_ids:
                school_rows = [d for d in rows if d.school_id == sid]
                publish(
                    s,
                    BroadcastFinished(
                        school_id=sid,
                        broadcast_id=b.id,
                        status=b.status,
                        delivered=sum(d.status == "delivered" for d in school_rows),
                        failed=sum(d.status != "delivered" for d in school_rows),
                    ),
                )
        audit.record(
            s,
            principal=None,
            action="broadcast.deliver",
            target_type="broadcast",
            target_id=b.id,
            detail={"attempt": attempt, "delivered": delivered, "failed": failed, "status": b.status},
        )
    log.info("broadcast.delivered", id=broadcast_id, attempt=attempt, delivered=delivered, failed=failed)
    return {"delivered": delivered, "failed": failed}
