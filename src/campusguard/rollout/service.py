"""Rollout checklists filled from device data and test presses, signed off by the district police,
and measured per district against the city's phase deadlines."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core import audit
from campusguard.core.auth import SYSTEM, Principal
from campusguard.core.db import utcnow
from campusguard.core.errors import Conflict, Forbidden
from campusguard.core.scope import allowed_school_ids, check_school
from campusguard.device import service as devices
from campusguard.org import service as org
from campusguard.rollout.models import AUTO_ITEMS, ITEM_LABELS, ITEMS, Checklist, Phase
from campusguard.stats.periods import local_day
from campusguard.stats.scope import SchoolInfo, schools_in_scope
from campusguard.stats.snapshot import device_counts

log = structlog.get_logger(__name__)

DEFAULT_PHASES = (
    (
        "第一阶段：90%学校一键报警和重点部位视频联网",
        date(2026, 12, 31),
        0.9,
        ["alarm_networked", "cameras_networked"],
    ),
    ("第二阶段：100%学校完成建设并通过验收", date(2027, 6, 30), 1.0, list(ITEMS)),
)


def ensure_phases(session: Session) -> list[Phase]:
    """The city's deadlines (configurable; the defaults follow the 90 % / 100 % plan)."""
    rows = list(session.scalars(select(Phase).order_by(Phase.deadline, Phase.id)).all())
    if rows:
        return rows
    for name, deadline, target, items in DEFAULT_PHASES:
        session.add(Phase(name=name, deadline=deadline, target=target, items=items))
    session.flush()
    return list(session.scalars(select(Phase).order_by(Phase.deadline, Phase.id)).all())


def replace_phases(session: Session, principal: Principal, phases: list[dict[str, Any]]) -> list[Phase]:
    """Set the city's phases (city scope only)."""
    if allowed_school_ids(session, principal) is not None:
        raise Forbidden("only the city may set rollout deadlines", code="city_only")
    for old in session.scalars(select(Phase)).all():
        session.delete(old)
    session.flush()
    for p in phases:
        session.add(Phase(name=p["name"], deadline=p["deadline"], target=p["target"], items=list(p["items"])))
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="rollout.phases",
        target_type="rollout",
        detail={"phases": [{**p, "deadline": str(p["deadline"])} for p in phases]},
    )
    return ensure_phases(session)


def _checklist(session: Session, school_id: int) -> Checklist:
    row = session.get(Checklist, school_id)
    if row is None:
        row = Checklist(school_id=school_id, evidence={})
        session.add(row)
        session.flush()
    return row


def _mark(row: Checklist, item: str, at: datetime, evidence: dict[str, Any]) -> bool:
    """Set an item's first-met time once; later evidence does not move it."""
    attr = f"{item}_at"
    if getattr(row, attr) is not None:
        return False
    setattr(row, attr, at)
    row.evidence = {**(row.evidence or {}), item: evidence}
    return True


def record_test_press(
    session: Session, *, school_id: int, at: datetime, incident_id: Any, device_id: Any
) -> bool:
    """A test press of an alarm button ticks "alarm tested" (and proves the button is installed)."""
    row = _checklist(session, school_id)
    changed = _mark(row, "alarm_tested", at, {"incident_id": incident_id, "device_id": device_id})
    changed |= _mark(row, "alarm_installed", at, {"device_id": device_id, "via": "test_press"})
    if changed:
        log.info("rollout.test_press", school_id=school_id, incident_id=incident_id)
    return changed


def _key_cameras(session: Session, school_id: int) -> tuple[int, int]:
    """(key-area cameras, of which networked) — all cameras when the school has no key areas marked."""
    areas = [a.id for a in org.list_areas(session, SYSTEM, school_id) if a.key_area]
    cams = devices.devices_in_areas(session, areas, type_="camera") if areas else []
    return len(cams), sum(1 for c in cams if c.last_seen is not None or c.online)


def refresh(session: Session, school_ids: set[int] | None = None, now: datetime | None = None) -> int:
    """Fill the automatic items from the device registry; returns how many items were newly met."""
    when = now or utcnow()
    targets = (
        school_ids
        if school_ids is not None
        else {s.id for s in session.scalars(org.school_query(session, SYSTEM).order_by(None)).all()}
    )
    if not targets:
        return 0
    buttons = device_counts(session, targets, "alarm_button")
    cameras = device_counts(session, targets, "camera")
    faces = device_counts(session, targets, "face_terminal")
    changed = 0
    for sid in sorted(targets):
        row = _checklist(session, sid)
        total, networked, _ = buttons.get(sid, (0, 0, 0))
        if total:
            changed += _mark(row, "alarm_installed", when, {"alarm_buttons": total})
        if total and networked == total:
            changed += _mark(row, "alarm_networked", when, {"alarm_buttons": total, "networked": networked})
        key_total, key_net = _key_cameras(session, sid)
        if not key_total:
            key_total, key_net, _ = cameras.get(sid, (0, 0, 0))
        if key_total and key_net == key_total:
            changed += _mark(row, "cameras_networked", when, {"cameras": key_total, "networked": key_net})
        if faces.get(sid, (0, 0, 0))[2] > 0:
            changed += _mark(row, "face_online", when, {"face_terminals_online": faces[sid][2]})
    if changed:
        log.info("rollout.refreshed", schools=len(targets), items=changed)
    return changed


def missing_items(row: Checklist | None, items: list[str] | tuple[str, ...] = ITEMS) -> list[str]:
    return [i for i in items if row is None or getattr(row, f"{i}_at") is None]


def signoff(session: Session, principal: Principal, school_id: int, note: str | None) -> Checklist:
    """District police acceptance: only once every automatic item is met."""
    org.get_school(session, principal, school_id)
    check_school(session, principal, school_id, write=True)
    row = _checklist(session, school_id)
    missing = missing_items(row, AUTO_ITEMS)
    if missing:
        raise Conflict(
            "the checklist is not complete: " + ", ".join(ITEM_LABELS[m][0] for m in missing),
            code="checklist_incomplete",
            extra={"missing": missing},
        )
    if row.police_signed_at is not None:
        raise Conflict("already signed off", code="already_signed")
    row.police_signed_at = utcnow()
    row.signed_by, row.signed_by_id, row.note = principal.name, principal.id, note
    row.evidence = {**(row.evidence or {}), "police_signed": {"by": principal.label}}
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="rollout.signoff",
        target_type="school",
        target_id=school_id,
        school_id=school_id,
        detail={"note": note},
    )
    return row


def checklist_out(info: SchoolInfo, row: Checklist | None) -> dict[str, Any]:
    items = []
    for item in ITEMS:
        at = getattr(row, f"{item}_at") if row else None
        items.append(
            {
                "key": item,
                "label": ITEM_LABELS[item][0],
                "label_en": ITEM_LABELS[item][1],
                "done": at is not None,
                "at": at.isoformat() if at else None,
                "auto": item in AUTO_ITEMS,
                "evidence": (row.evidence or {}).get(item) if row else None,
            }
        )
    return {
        "school_id": info.id,
        "school_code": info.code,
        "school_name": info.name,
        "district_code": info.district_code,
        "district_name": info.district_name,
        "type": info.type,
        "items": items,
        "complete": all(i["done"] for i in items),
        "done": sum(1 for i in items if i["done"]),
        "signed_by": row.signed_by if row else None,
    }


def schools(session: Session, principal: Principal, region: str | None = None) -> list[dict[str, Any]]:
    infos, _ = schools_in_scope(session, principal, region=region)
    rows = {
        r.school_id: r
        for r in session.scalars(
            select(Checklist).where(Checklist.school_id.in_([i.id for i in infos]))
        ).all()
    }
    return [checklist_out(i, rows.get(i.id)) for i in infos]


def progress(
    session: Session, principal: Principal, region: str | None = None, today: date | None = None
) -> dict[str, Any]:
    """Per district (and the whole scope): share of schools meeting each phase, against its deadline."""
    day = today or local_day(utcnow())
    phases = ensure_phases(session)
    infos, _ = schools_in_scope(session, principal, region=region)
    rows = {
        r.school_id: r
        for r in session.scalars(
            select(Checklist).where(Checklist.school_id.in_([i.id for i in infos]))
        ).all()
    }
    groups: dict[str, list[SchoolInfo]] = defaultdict(list)
    for info in infos:
        groups[info.district_code].append(info)

    def measure(members: list[SchoolInfo]) -> dict[str, Any]:
        n = len(members)
        items = {i: sum(1 for m in members if not missing_items(rows.get(m.id), [i])) for i in ITEMS}
        out_phases = []
        for p in phases:
            met = sum(1 for m in members if not missing_items(rows.get(m.id), p.items))
            pct = met / n if n else 0.0
            reached = pct >= p.target - 1e-9
            status = "met" if reached else ("missed" if day > p.deadline else "in_progress")
            out_phases.append(
                {
                    "phase_id": p.id,
                    "name": p.name,
                    "deadline": p.deadline.isoformat(),
                    "target": p.target,
                    "schools_met": met,
                    "pct": round(pct, 4),
                    "status": status,
                    "gap": max(0, _needed(p.target, n) - met),
                    "days_left": (p.deadline - day).days,
                }
            )
        return {
            "schools": n,
            "items": items,
            "complete": sum(1 for m in members if not missing_items(rows.get(m.id))),
            "phases": out_phases,
        }

    districts = [
        {"district_code": code, "district_name": members[0].district_name, **measure(members)}
        for code, members in sorted(groups.items())
    ]
    return {
        "as_of": day.isoformat(),
        "phases": [
            {
                "id": p.id,
                "name": p.name,
                "deadline": p.deadline.isoformat(),
                "target": p.target,
                "items": p.items,
            }
            for p in phases
        ],
        "items": [{"key": i, "label": ITEM_LABELS[i][0], "label_en": ITEM_LABELS[i][1]} for i in ITEMS],
        "total": measure(infos),
        "districts": districts,
    }


def _needed(target: float, n: int) -> int:
    """Schools needed to reach a target share (ceil, exact for 90 % of 10 = 9)."""
    from math import ceil

    return int(ceil(round(target * n, 6)))
