"""HTTP device intake (`POST /devices/{code}/events`, 202 after commit) and the online-rate read."""

from __future__ import annotations

from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import ValidationError
from sqlalchemy.orm import Session

from campusguard.adapters.mqtt import DeviceEventPayload
from campusguard.alarm import presence
from campusguard.alarm.intake import Intake, Refusal, check_time
from campusguard.core.auth import Principal, current_principal, require
from campusguard.core.db import SessionDep, utcnow
from campusguard.core.errors import Forbidden, ProblemError, Unprocessable
from campusguard.core.scope import allowed_school_ids, check_school
from campusguard.device.models import Device

log = structlog.get_logger(__name__)
intake_router = APIRouter(tags=["alarm-intake"])
router = intake_router  # alarm/api.py includes it under either name


def get_intake(request: Request) -> Intake:
    """The app's intake (started by the lifespan); built on demand when intake transports are off."""
    intake: Intake | None = getattr(request.app.state, "intake", None)
    if intake is None:
        intake = Intake(request.app.state.db)
        request.app.state.intake = intake
    return intake


def _refuse(session: Session, intake: Intake, refusal: Refusal, error: ProblemError) -> ProblemError:
    """Count + audit in its own transaction, then hand back the error to raise.

    The request transaction is rolled back first: it is refused anyway, and on SQLite it would
    otherwise hold the write lock the audit transaction needs.
    """
    session.rollback()
    intake.refuse(refusal)
    intake.audit_refusals([refusal])
    return error


def device_caller(request: Request, session: SessionDep,
                  intake: Annotated[Intake, Depends(get_intake)]) -> Principal:
    """A device token, or a refused (401/403) security event."""
    origin = request.path_params.get("device_code", "?")
    peer = request.client.host if request.client else "?"
    try:
        principal = current_principal(request, session)
    except ProblemError as exc:
        raise _refuse(session, intake, Refusal("http", exc.code, str(origin), f"peer {peer}"), exc) from None
    if principal.kind != "device" or principal.device_id is None:
        raise _refuse(session, intake, Refusal("http", "not_a_device_token", str(origin), principal.name),
                      Forbidden("a device token is required", code="device_token_required"))
    return principal


@intake_router.post("/devices/{device_code}/events", status_code=202)
def post_device_event(
    device_code: str,
    body: Annotated[dict[str, Any], Body()],
    session: SessionDep,
    principal: Annotated[Principal, Depends(device_caller)],
    intake: Annotated[Intake, Depends(get_intake)],
) -> dict[str, Any]:
    """A device reports an event with its own token; 202 is sent only after the incident is committed."""
    device = session.get(Device, principal.device_id)
    if device is None or device.code != device_code:
        raise _refuse(session, intake, Refusal("http", "token_device_mismatch", device_code, principal.name,
                                      device.school_id if device else None),
                      Forbidden("this token belongs to another device", code="token_device_mismatch"))
    try:
        payload = DeviceEventPayload.model_validate(body)
    except ValidationError as exc:
        detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())[:300]
        raise _refuse(session, intake, Refusal("http", "schema", device_code, detail, device.school_id),
                      Unprocessable(detail, code="bad_event")) from None
    reason = check_time(payload.ts, utcnow(), intake.cfg)
    if reason is not None:
        refusal = Refusal("http", reason, device_code, payload.ts.isoformat(), device.school_id)
        raise _refuse(session, intake, refusal,
                      Unprocessable(f"event timestamp {payload.ts.isoformat()} refused ({reason})",
                                    code=reason))
    result = intake.http_event(session, device_id=device.id, payload=payload)
    if result is None:
        return {"accepted": True, "type": payload.type, "incident_id": None, "duplicate": False}
    return {"accepted": True, "type": payload.type, "incident_id": result.incident_id,
            "duplicate": result.duplicate}


@intake_router.get("/devices/online-rate")
def get_online_rate(
    session: SessionDep,
    principal: Annotated[Principal, Depends(require("device.read"))],
    district_code: Annotated[str | None, Query(max_length=16)] = None,
    school_id: int | None = None,
    device_type: Annotated[str | None, Query(alias="type", max_length=16)] = None,
) -> dict[str, Any]:
    """Online rate per school and district in the caller's scope (alarm points: `type=alarm_button`)."""
    if school_id is not None:
        check_school(session, principal, school_id, write=False)
    return presence.online_rate(session, allowed_school_ids(session, principal), district_code=district_code,
                                school_id=school_id, device_type=device_type)
