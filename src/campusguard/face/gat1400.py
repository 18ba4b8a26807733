"""Police data interface modelled on GA/T 1400 FaceListObject: export captures, import watchlists."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.errors import BadRequest, Forbidden, ProblemError
from campusguard.core.scope import scoped
from campusguard.face import service
from campusguard.face.models import Capture, FacePerson
from campusguard.org.models import School

log = structlog.get_logger(__name__)

SCENE_IMAGE = "14"  # 场景图
FACE_IMAGE = "11"  # 人脸图
MAX_IMPORT = 500


def gat_time(at: datetime) -> str:
    """GA/T 1400 timestamps are local wall-clock YYYYMMDDhhmmss; we send UTC and say so in the docs."""
    return at.astimezone(UTC).strftime("%Y%m%d%H%M%S")


def parse_gat_time(value: str) -> datetime:
    try:
        return datetime.strptime(value, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"time {value!r} is not YYYYMMDDhhmmss", code="bad_time") from exc


def _device_id(code: str, city: str) -> str:
    """A 20-character device id: city code, then the platform device code (GB/T 28181 style length)."""
    digits = "".join(c for c in code if c.isdigit())
    return (city + "1190" + digits.rjust(10, "0"))[:20].ljust(20, "0")


def face_id(cap: Capture, city: str) -> str:
    """48 characters: device (20) + object type 06 (face) + time (14) + sequence (12)."""
    return f"{_device_id(cap.device_code, city)}06{gat_time(cap.captured_at)}{cap.id % 10**12:012d}"


def _image(kind: str, cap: Capture, data: bytes, city: str, with_data: bool) -> dict[str, Any]:
    item: dict[str, Any] = {
        "ImageID": f"{face_id(cap, city)[:-2]}{kind}",
        "EventSort": 4,
        "DeviceID": _device_id(cap.device_code, city),
        "StoragePath": f"/api/v1/face/captures/{cap.id}/{'face' if kind == FACE_IMAGE else 'scene'}.jpg",
        "Type": kind,
        "FileFormat": "Jpeg",
        "ShotTime": gat_time(cap.captured_at),
    }
    if with_data:
        item["Data"] = base64.b64encode(data).decode()
    return item


def export_captures(
    session: Session,
    principal: Principal,
    *,
    since: datetime | None,
    until: datetime | None,
    school_id: int | None,
    limit: int,
    with_images: bool,
    city: str,
) -> dict[str, Any]:
    """Captures (pass records) in the caller's scope as a FaceListObject; audited as a data export."""
    if not principal.can("face.hits"):
        raise Forbidden("capture export is for police roles", code="forbidden")
    stmt: Select[Any] = scoped(select(Capture), Capture.school_id, session, principal)
    if since:
        stmt = stmt.where(Capture.captured_at >= since)
    if until:
        stmt = stmt.where(Capture.captured_at < until)
    if school_id is not None:
        stmt = stmt.where(Capture.school_id == school_id)
    rows = list(session.scalars(stmt.order_by(Capture.captured_at, Capture.id).limit(limit)))
    schools = {
        s.id: s for s in session.scalars(select(School).where(School.id.in_({r.school_id for r in rows})))
    }
    persons = {
        p.id: p
        for p in session.scalars(
            select(FacePerson).where(FacePerson.id.in_({r.person_id for r in rows if r.person_id}))
        )
    }
    objects = []
    for cap in rows:
        left, top, right, bottom = (cap.box + [0, 0, 0, 0])[:4]
        images = [_image(FACE_IMAGE, cap, cap.face_image, city, with_images)]
        if cap.scene_image:
            images.append(_image(SCENE_IMAGE, cap, cap.scene_image, city, with_images))
        obj: dict[str, Any] = {
            "FaceID": face_id(cap, city),
            "InfoKind": 1,
            "SourceID": face_id(cap, city)[:-2] + SCENE_IMAGE,
            "DeviceID": _device_id(cap.device_code, city),
            "LeftTopX": left,
            "LeftTopY": top,
            "RightBtmX": right,
            "RightBtmY": bottom,
            "LocationMarkTime": gat_time(cap.captured_at),
            "FaceAppearTime": gat_time(cap.captured_at),
            "FaceDisAppearTime": gat_time(cap.last_seen_at),
            "SubImageList": {"SubImageInfoObject": images},
            "CGDirection": cap.direction,
            "CGStatus": cap.status,
            "CGDeviceCode": cap.device_code,
            "CGSchoolCode": schools[cap.school_id].code if cap.school_id in schools else None,
        }
        person = persons.get(cap.person_id) if cap.person_id else None
        if person is not None:
            obj.update(
                {
                    "Name": person.name,
                    "CGWatchlistKind": cap.watchlist_kind,
                    "CGCategory": person.category,
                    "CGSimilarity": round(1 - (cap.distance or 0) ** 2 / 2, 4),
                }
            )
            if person.id_number:
                obj.update({"IDType": "111", "IDNumber": person.id_number})
        objects.append(obj)
    audit.record(
        session,
        principal=principal,
        action="face.gat1400.export",
        target_type="face_capture",
        detail={
            "count": len(objects),
            "since": since,
            "until": until,
            "school_id": school_id,
            "images": with_images,
        },
    )
    return {"FaceListObject": {"FaceObject": objects}}


def _b64(data: str) -> bytes:
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest("SubImageInfoObject.Data is not base64", code="bad_base64") from exc


def import_watchlist(
    session: Session, principal: Principal, watchlist_id: int, payload: dict[str, Any]
) -> dict[str, Any]:
    """Enrol each FaceObject (Name, IDNumber, type-11 images); per-object results, not all-or-nothing."""
    wl = service.get_watchlist(session, principal, watchlist_id, write=True)
    try:
        objects = payload["FaceListObject"]["FaceObject"]
    except (KeyError, TypeError) as exc:
        raise BadRequest('body must be {"FaceListObject": {"FaceObject": [...]}}', code="bad_shape") from exc
    if not isinstance(objects, list) or len(objects) > MAX_IMPORT:
        raise BadRequest(f"FaceObject must be a list of at most {MAX_IMPORT}", code="bad_shape")
    results: list[dict[str, Any]] = []
    for i, obj in enumerate(objects):
        ref = obj.get("FaceID") if isinstance(obj, dict) else None
        try:
            if not isinstance(obj, dict):
                raise BadRequest("FaceObject must be an object", code="bad_shape")
            images = [
                s
                for s in (obj.get("SubImageList") or {}).get("SubImageInfoObject", [])
                if isinstance(s, dict) and str(s.get("Type")) == FACE_IMAGE and s.get("Data")
            ]
            if not images:
                raise BadRequest("no type-11 face image with Data", code="photo_required")
            expires = parse_gat_time(obj["CGValidTo"]) if obj.get("CGValidTo") else None
            data = service.PersonData(
                name=str(obj.get("Name") or "").strip(),
                category=str(obj.get("CGCategory") or "other"),
                risk_level=obj.get("CGRiskLevel"),
                source=obj.get("CGSource") or "GA/T 1400 import",
                legal_basis=obj.get("CGLegalBasis"),
                expires_at=expires,
                external_id=ref,
                id_number=obj.get("IDNumber"),
            )
            with session.begin_nested():
                person, templates, _ = service.enrol_person(
                    session, principal, wl.id, data, [_b64(str(s["Data"])) for s in images]
                )
            results.append(
                {
                    "index": i,
                    "FaceID": ref,
                    "status": "enrolled",
                    "person_id": person.id,
                    "templates": len(templates),
                }
            )
        except ProblemError as exc:
            results.append(
                {"index": i, "FaceID": ref, "status": "rejected", "code": exc.code, "detail": exc.detail}
            )
    enrolled = sum(r["status"] == "enrolled" for r in results)
    audit.record(
        session,
        principal=principal,
        action="face.gat1400.import",
        target_type="face_watchlist",
        target_id=wl.id,
        detail={"objects": len(objects), "enrolled": enrolled},
    )
    log.info("face.gat1400.import", watchlist=wl.id, objects=len(objects), enrolled=enrolled)
    return {
        "watchlist_id": wl.id,
        "enrolled": enrolled,
        "rejected": len(results) - enrolled,
        "results": results,
    }
