"""Gate captures: match every face, merge frames of one passage, raise hits and rule alerts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import structlog
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Forbidden, NotFound
from campusguard.device.models import Device
from campusguard.face import imaging, rules, runtime
from campusguard.face.analysis import Analysis, FaceResult
from campusguard.face.events import FaceAlertRaised, FaceCaptured, FaceHit
from campusguard.face.index import distance_from_similarity
from campusguard.face.models import Alert, Capture, FacePerson, FaceTemplate, Rejection, Watchlist
from campusguard.face.schemas import CaptureResult, FaceOut
from campusguard.face.service import KEY, analyse_upload, embedding_bytes, embedding_of
from campusguard.org.models import Person, Region, School

log = structlog.get_logger(__name__)

GATE_TYPES = ("face_terminal", "gate", "camera")
DIRECTIONS = ("in", "out")
PLANS: dict[str, list[str]] = {
    "wanted": ["通知辖区派出所出警", "保安封控大门，禁止进入", "调取周边视频跟踪去向"],
    "violent_record": ["保安加强门岗警戒", "通知驻校民警核查", "必要时启动防暴预案"],
    "mental_health_risk": ["保安劝离并保持距离", "通知社区及派出所", "联系监护人"],
    "sex_offender": ["禁止进入校园", "通知派出所核查", "加强放学时段巡逻"],
    "custody_dispute": ["拒绝接走学生", "联系合法监护人", "通知驻校民警"],
    "other": ["门岗核实身份", "通知驻校民警"],
}


CATEGORY_TITLES = {
    "wanted": "在逃人员",
    "violent_record": "有暴力前科",
    "mental_health_risk": "肇事肇祸风险",
    "sex_offender": "性侵前科",
    "custody_dispute": "抚养权纠纷",
    "other": "其他重点人员",
}


@dataclass
class Candidate:
    person: FacePerson
    watchlist: Watchlist
    template_id: int
    distance: float


def hit_incident_type() -> str:
    """The contract's `watchlist_hit`, or the alarm module's older name until it adds it."""
    from campusguard.alarm.models import INCIDENT_TYPES

    return "watchlist_hit" if "watchlist_hit" in INCIDENT_TYPES else "face_hit"


def gate_device(session: Session, principal: Principal, device_code: str) -> Device:
    device = session.scalars(select(Device).where(Device.code == device_code)).first()
    if device is None:
        raise NotFound(f"unknown device {device_code}", code="unknown_device")
    if principal.kind == "device" and principal.device_id != device.id:
        raise Forbidden("this token belongs to another device", code="wrong_device")
    if device.type not in GATE_TYPES:
        raise BadRequest(f"device type {device.type} does not capture faces", code="not_a_gate")
    return device


def gate_watchlists(session: Session, school: School) -> dict[int, Watchlist]:
    """Key-person lists covering the school's district or the city, plus the school's own lists."""
    city = select(Region.code).where(Region.level == "city")
    rows = session.scalars(
        select(Watchlist).where(
            Watchlist.active.is_(True),
            or_(
                (Watchlist.kind == KEY)
                & or_(
                    Watchlist.region_code.is_(None),
                    Watchlist.region_code == school.district_code,
                    Watchlist.region_code.in_(city),
                ),
                (Watchlist.kind != KEY) & (Watchlist.school_id == school.id),
            ),
        )
    )
    return {w.id: w for w in rows}


def best_candidate(
    session: Session, lists: dict[int, Watchlist], vec: np.ndarray, now: datetime
) -> Candidate | None:
    s = runtime.face_settings()
    found = runtime.registry(session).search(
        list(lists),
        vec,
        k=5,
        threshold=max([s.threshold, *[w.threshold for w in lists.values() if w.threshold]]),
    )
    for wid, match in found:
        wl = lists[wid]
        if match.distance > (wl.threshold or s.threshold):
            continue
        tpl = session.get(FaceTemplate, match.face_id)
        person = session.get(FacePerson, tpl.person_id) if tpl else None
        if tpl is None or person is None or not person.active:
            continue
        if person.expires_at is not None and person.expires_at <= now:
            continue
        return Candidate(person, wl, tpl.id, match.distance)
    return None


def _same_track(session: Session, device: Device, vec: np.ndarray, now: datetime) -> Capture | None:
    s = runtime.face_settings()
    since = now - timedelta(seconds=s.track_window_s)
    recent = session.scalars(
        select(Capture)
        .where(Capture.device_id == device.id, Capture.last_seen_at >= since)
        .order_by(Capture.last_seen_at.desc())
        .limit(50)
    )
    best: tuple[float, Capture] | None = None
    for cap in recent:
        d = float(distance_from_similarity(float(embedding_of(cap.embedding) @ vec)))
        if d <= s.track_distance and (best is None or d < best[0]):
            best = (d, cap)
    return best[1] if best else None


def suppressed(session: Session, person_id: int, vec: np.ndarray) -> bool:
    """A human said "not this person" for a face this close before: do not alert again."""
    limit = runtime.face_settings().suppress_distance
    for blob in session.scalars(select(Rejection.embedding).where(Rejection.person_id == person_id)):
        if float(distance_from_similarity(float(embedding_of(blob) @ vec))) <= limit:
            return True
    return False


def process_capture(
    session: Session,
    principal: Principal,
    device_code: str,
    data: bytes,
    *,
    direction: str | None = None,
    captured_at: datetime | None = None,
) -> CaptureResult:
    """The whole gate pipeline for one uploaded frame."""
    device = gate_device(session, principal, device_code)
    if direction is not None and direction not in DIRECTIONS:
        raise BadRequest("direction must be 'in' or 'out'", code="bad_direction")
    direction = direction or str(device.settings.get("direction", "in"))
    now = utcnow()
    at = captured_at or now
    if at.tzinfo is None or abs((at - now).total_seconds()) > 86400:
        raise BadRequest("captured_at must be an aware time within a day of now", code="bad_time")
    analysis = analyse_upload(data, field="image")
    school = session.get(School, device.school_id)
    assert school is not None
    lists = gate_watchlists(session, school)
    scene = _scene(data, analysis)
    faces = [_one_face(session, device, school, lists, face, at, direction, scene) for face in analysis.faces]
    log.info(
        "face.capture",
        device=device.code,
        faces=len(faces),
        matched=sum(f.status == "matched" for f in faces),
        alerts=sum(len(f.alert_ids) for f in faces),
    )
    return CaptureResult(
        device_code=device.code,
        direction=direction,
        width=analysis.width,
        height=analysis.height,
        faces=faces,
    )


def _scene(data: bytes, analysis: Analysis) -> bytes | None:
    if not analysis.faces or not runtime.face_settings().store_scene:
        return None
    return imaging.to_jpeg(imaging.decode_rgb(data, max_side=960), quality=75)


def _one_face(
    session: Session,
    device: Device,
    school: School,
    lists: dict[int, Watchlist],
    face: FaceResult,
    at: datetime,
    direction: str,
    scene: bytes | None,
) -> FaceOut:
    vec = face.embedding
    cand = best_candidate(session, lists, vec, at)
    cap = _same_track(session, device, vec, at)
    event = "merged" if cap is not None else "new"
    if cap is None:
        cap = Capture(
            school_id=school.id,
            device_id=device.id,
            device_code=device.code,
            direction=direction,
            captured_at=at,
            last_seen_at=at,
            frames=1,
            status="unknown",
            box=list(face.detection.box),
            embedding=embedding_bytes(vec),
            face_image=face.crop_jpeg,
            scene_image=scene,
        )
        session.add(cap)
    else:
        cap.frames += 1
        cap.last_seen_at = max(cap.last_seen_at, at)
    if cand is not None and (cap.distance is None or cand.distance < cap.distance):
        cap.status, cap.person_id, cap.watchlist_id = "matched", cand.person.id, cand.watchlist.id
        cap.watchlist_kind, cap.distance = cand.watchlist.kind, round(cand.distance, 4)
        cap.embedding, cap.face_image, cap.box = (
            embedding_bytes(vec),
            face.crop_jpeg,
            list(face.detection.box),
        )
        if scene is not None:
            cap.scene_image = scene
    session.flush()
    out = FaceOut(
        box=list(face.detection.box),
        capture_id=cap.id,
        event=event,
        status=cap.status,  # type: ignore[arg-type]
        person_id=cap.person_id,
        watchlist_id=cap.watchlist_id,
        watchlist_kind=cap.watchlist_kind,
        distance=cap.distance,
        incident_id=cap.incident_id,
    )
    if cand is not None:
        out.person_name = cand.person.name
    if cand is not None and cand.watchlist.kind == KEY:
        already = session.scalars(
            select(Alert.id).where(
                Alert.capture_id == cap.id, Alert.kind == "watchlist_hit", Alert.person_id == cand.person.id
            )
        ).first()
        if already is None:
            if suppressed(session, cand.person.id, vec):
                out.suppressed = True
                log.info("face.hit.suppressed", person_id=cand.person.id, capture_id=cap.id)
            else:
                alert = raise_hit(session, device, school, cap, cand)
                out.alert_ids.append(alert.id)
                out.incident_id = alert.incident_id
    if event == "new":
        person_kind = None
        if cand is not None and cand.person.org_person_id is not None:
            org = session.get(Person, cand.person.org_person_id)
            person_kind = org.kind if org else None
        elif cand is not None and cand.watchlist.kind == "roster" and cand.person.category == "student":
            person_kind = "student"
        for kind, detail in rules.evaluate(
            session,
            school,
            at=at,
            tz=runtime.face_settings().timezone,
            status=cap.status,
            direction=direction,
            person_kind=person_kind,
        ):
            out.alert_ids.append(_rule_alert(session, school, cap, kind, detail).id)
        publish(
            session,
            FaceCaptured(
                capture_id=cap.id,
                device_code=device.code,
                direction=direction,
                status=cap.status,
                school_id=school.id,
                district_code=school.district_code,
                person_name=out.person_name,
                watchlist_kind=cap.watchlist_kind,
            ),
        )
    return out


def raise_hit(
    session: Session, device: Device | None, school: School, cap: Capture, cand: Candidate
) -> Alert:
    """A key-person hit: alert row, incident through the alarm module, face.hit event, audit."""
    person = cand.person
    plan = PLANS.get(person.category, PLANS["other"])
    alert = Alert(
        kind="watchlist_hit",
        school_id=school.id,
        capture_id=cap.id,
        person_id=person.id,
        template_id=cand.template_id,
        watchlist_id=cand.watchlist.id,
        distance=round(cand.distance, 4),
        detail={"category": person.category, "risk_level": person.risk_level, "plan": plan},
    )
    session.add(alert)
    session.flush()
    detail: dict[str, Any] = {
        "face_alert_id": alert.id,
        "capture_id": cap.id,
        "person_id": person.id,
        # no name here: incidents are read by school roles; police see the person in face alerts
        "category": person.category,
        "risk_level": person.risk_level,
        "watchlist_id": cand.watchlist.id,
        "distance": round(cand.distance, 4),
        "similarity": round(1 - cand.distance**2 / 2, 4),
        "capture_image": f"/api/v1/face/captures/{cap.id}/face.jpg",
        "scene_image": f"/api/v1/face/captures/{cap.id}/scene.jpg",
        "enrolled_image": f"/api/v1/face/templates/{cand.template_id}/thumbnail.jpg",
        "plan": plan,
        "device_code": cap.device_code,
    }
    incident_id = _incident(session, device, school, person, detail)
    alert.incident_id = incident_id
    cap.incident_id, cap.retain = incident_id, True
    publish(
        session,
        FaceHit(
            alert_id=alert.id,
            capture_id=cap.id,
            person_id=person.id,
            category=person.category,
            distance=alert.distance or 0.0,
            incident_id=incident_id,
            school_id=school.id,
            district_code=school.district_code,
        ),
    )
    audit.record(
        session,
        principal=SYSTEM,
        action="face.hit",
        target_type="face_alert",
        target_id=alert.id,
        school_id=school.id,
        district_code=school.district_code,
        detail={
            "person_id": person.id,
            "capture_id": cap.id,
            "incident_id": incident_id,
            "distance": alert.distance,
        },
    )
    log.warning(
        "face.hit", alert_id=alert.id, person_id=person.id, school=school.code, incident_id=incident_id
    )
    return alert


def _incident(
    session: Session, device: Device | None, school: School, person: FacePerson, detail: dict[str, Any]
) -> int | None:
    """Create the incident in a savepoint so a refusal by the alarm module never loses the alert."""
    from campusguard.alarm import service as alarm_service

    try:
        with session.begin_nested():
            incident = alarm_service.raise_incident(
                session,
                school_id=school.id,
                alarm_type=hit_incident_type(),
                device=device,
                area_id=device.area_id if device else None,
                source="face",
                detail=detail,
                title=f"{school.name} 重点人员预警（{CATEGORY_TITLES.get(person.category, person.category)}）",
            )
            return int(incident.id)
    except Exception:  # noqa: BLE001 - the hit is still recorded and published as face.hit
        log.exception("face.hit.incident_failed", school=school.code)
        return None


def _rule_alert(session: Session, school: School, cap: Capture, kind: str, detail: dict[str, Any]) -> Alert:
    alert = Alert(kind=kind, school_id=school.id, capture_id=cap.id, person_id=cap.person_id, detail=detail)
    session.add(alert)
    session.flush()
    publish(
        session,
        FaceAlertRaised(
            alert_id=alert.id,
            kind=kind,
            capture_id=cap.id,
            school_id=school.id,
            district_code=school.district_code,
        ),
    )
    return alert
