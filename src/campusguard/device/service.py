"""Device registry services: CRUD in scope, API tokens, presence transitions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from campusguard.bus.outbox import publish
from campusguard.core import audit
from campusguard.core.auth import Principal
from campusguard.core.crypto import hash_token, new_token
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, NotFound
from campusguard.core.models import ApiToken
from campusguard.core.scope import check_school, scoped
from campusguard.device.events import DeviceOffline, DeviceOnline, DeviceRegistered
from campusguard.device.models import Device
from campusguard.device.schemas import DeviceIn, DeviceOut, DevicePatch
from campusguard.org import service as org
from campusguard.org.models import Area, School


def to_out(device: Device, school_code: str) -> DeviceOut:
    out = DeviceOut.model_validate(device)
    out.school_code = school_code
    out.has_secret = device.secret is not None
    return out


def device_query(session: Session, principal: Principal, *, school_id: int | None = None,
                 school_code: str | None = None, type_: str | None = None, online: bool | None = None,
                 q: str | None = None, area_id: int | None = None) -> Select[Any]:
    stmt = select(Device, School.code).join(School, School.id == Device.school_id).order_by(Device.id)
    stmt = scoped(stmt, Device.school_id, session, principal)
    if school_id:
        stmt = stmt.where(Device.school_id == school_id)
    if school_code:
        stmt = stmt.where(School.code == school_code)
    if type_:
        stmt = stmt.where(Device.type == type_)
    if online is not None:
        stmt = stmt.where(Device.online.is_(online))
    if area_id:
        stmt = stmt.where(Device.area_id == area_id)
    if q:
        stmt = stmt.where(Device.name.ilike(f"%{q}%") | Device.code.ilike(f"%{q}%"))
    return stmt


def list_devices(session: Session, principal: Principal, *, limit: int, offset: int, **filters: Any
                 ) -> tuple[list[DeviceOut], int]:
    stmt = device_query(session, principal, **filters)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = session.execute(stmt.limit(limit).offset(offset)).tuples().all()
    return [to_out(d, code) for d, code in rows], int(total)


def by_code(session: Session, code: str) -> Device | None:
    return session.scalars(select(Device).where(Device.code == code)).first()


def get_device(session: Session, principal: Principal, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found")
    check_school(session, principal, device.school_id, write=False)
    return device


def get_by_code(session: Session, principal: Principal, code: str) -> Device:
    device = by_code(session, code)
    if device is None:
        raise NotFound(f"device {code} not found", code="unknown_device")
    check_school(session, principal, device.school_id, write=False)
    return device


def devices_in_areas(session: Session, area_ids: Iterable[int], type_: str | None = None) -> list[Device]:
    """Devices in the given areas (e.g. the cameras beside an alarm)."""
    ids = list(area_ids)
    if not ids:
        return []
    stmt = select(Device).where(Device.area_id.in_(ids))
    if type_:
        stmt = stmt.where(Device.type == type_)
    return list(session.scalars(stmt.order_by(Device.id)).all())


def _check_area(session: Session, area_id: int | None, school_id: int) -> None:
    if area_id is None:
        return
    area = session.get(Area, area_id)
    if area is None or area.school_id != school_id:
        raise BadRequest(f"area {area_id} is not in this school", code="bad_area")


def create_device(session: Session, principal: Principal, data: DeviceIn) -> Device:
    school = org.get_school_by_code(session, principal, data.school_code)
    check_school(session, principal, school.id, write=True)
    if by_code(session, data.code) is not None:
        raise Conflict(f"device code {data.code} exists", code="duplicate")
    _check_area(session, data.area_id, school.id)
    device = Device(code=data.code, name=data.name, type=data.type, school_id=school.id, area_id=data.area_id,
                    vendor=data.vendor, model=data.model, protocol=data.protocol, settings=data.settings,
                    secret=data.secret, heartbeat_s=data.heartbeat_s)
    session.add(device)
    session.flush()
    audit.record(session, principal=principal, action="device.create", target_type="device",
                 target_id=device.id, school_id=school.id, district_code=school.district_code,
                 detail=data.model_dump(exclude={"secret"}))
    publish(session, DeviceRegistered(school_id=school.id, district_code=school.district_code,
                                      device_id=device.id, device_code=device.code, device_type=device.type))
    return device


def update_device(session: Session, principal: Principal, device_id: int, data: DevicePatch) -> Device:
    device = get_device(session, principal, device_id)
    check_school(session, principal, device.school_id, write=True)
    changes = data.model_dump(exclude_unset=True)
    if "area_id" in changes:
        _check_area(session, changes["area_id"], device.school_id)
    for key, value in changes.items():
        setattr(device, key, value)
    session.flush()
    audit.record(session, principal=principal, action="device.update", target_type="device",
                 target_id=device.id, school_id=device.school_id,
                 detail={k: v for k, v in changes.items() if k != "secret"} | ({"secret": "***"} if
                                                                              "secret" in changes else {}))
    return device


def delete_device(session: Session, principal: Principal, device_id: int) -> None:
    device = get_device(session, principal, device_id)
    check_school(session, principal, device.school_id, write=True)
    audit.record(session, principal=principal, action="device.delete", target_type="device",
                 target_id=device.id, school_id=device.school_id, detail={"code": device.code})
    session.delete(device)
    session.flush()


def issue_token(session: Session, principal: Principal, code: str) -> str:
    """Issue a device's bearer token (shown once); earlier tokens of the device are revoked."""
    device = get_by_code(session, principal, code)
    check_school(session, principal, device.school_id, write=True)
    session.execute(update(ApiToken).where(ApiToken.device_id == device.id, ApiToken.revoked_at.is_(None))
                    .values(revoked_at=utcnow()))
    token = new_token("cgd")
    session.add(ApiToken(token_hash=hash_token(token), kind="device", name=device.code, device_id=device.id,
                         school_id=device.school_id, created_by=principal.id if principal.kind == "user" else None))
    session.flush()
    audit.record(session, principal=principal, action="device.token", target_type="device",
                 target_id=device.id, school_id=device.school_id)
    return token


def set_presence(session: Session, *, device_id: int, online: bool, last_seen: datetime | None = None,
                 reason: str | None = None) -> bool:
    """Record a device's presence; publishes device.online/offline on a transition. True if it changed."""
    device = session.get(Device, device_id)
    if device is None:
        return False
    if last_seen is not None and (device.last_seen is None or last_seen > device.last_seen):
        device.last_seen = last_seen
    changed = device.online != online
    device.online = online
    device.status_reason = reason
    session.flush()
    if changed:
        district = org.district_of(session, device.school_id)
        if online:
            publish(session, DeviceOnline(school_id=device.school_id, district_code=district, device_id=device.id,
                                          device_code=device.code, device_type=device.type))
        else:
            publish(session, DeviceOffline(school_id=device.school_id, district_code=district,
                                           device_id=device.id, device_code=device.code, device_type=device.type,
                                           reason=reason,
                                           last_seen=device.last_seen.isoformat() if device.last_seen else None))
    return changed


def touch_many(session: Session, last_seen: dict[int, datetime]) -> None:
    """Batch-write last_seen for many devices (presence flush; no event)."""
    for device_id, seen in last_seen.items():
        session.execute(update(Device).where(Device.id == device_id).values(last_seen=seen))


def online_counts(session: Session, school_ids: set[int] | None, type_: str | None = None
                  ) -> dict[int, tuple[int, int]]:
    """Per school: (devices, online) — the networking rate the seeds track."""
    stmt = select(Device.school_id, func.count(), func.count().filter(Device.online.is_(True)))
    if school_ids is not None:
        stmt = stmt.where(Device.school_id.in_(sorted(school_ids)))
    if type_:
        stmt = stmt.where(Device.type == type_)
    rows = session.execute(stmt.group_by(Device.school_id)).tuples().all()
    return {sid: (int(total), int(on or 0)) for sid, total, on in rows}
