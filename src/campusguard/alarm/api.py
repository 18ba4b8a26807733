"""HTTP routes of rapid response: incidents, plans, escalation chains, notifications, hand-off, drills."""

from __future__ import annotations

import hashlib
import io
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile
from fastapi.responses import FileResponse
from PIL import Image, UnidentifiedImageError
from sqlalchemy import select

from campusguard.alarm import escalation, handoff, notify, plans, service
from campusguard.alarm.intake_api import intake_router
from campusguard.alarm.models import (
    Escalation,
    Gateway,
    HandoffDelivery,
    HandoffEndpoint,
    HandoffReceipt,
    Incident,
    IncidentNote,
    Notification,
    Plan,
)
from campusguard.alarm.schemas import (
    ChainIn,
    ChainOut,
    ChecklistItem,
    DeliveryOut,
    DrillWindowIn,
    DrillWindowOut,
    EndpointIn,
    EndpointOut,
    GatewayIn,
    GatewayOut,
    IncidentCamera,
    IncidentDetail,
    IncidentOut,
    IncidentPage,
    IncidentVideo,
    ManualAlarmIn,
    NoteIn,
    NoteOut,
    NotificationOut,
    PlanEdit,
    PlanIn,
    PlanOut,
    PushSubscriptionIn,
    ReceiptOut,
    ResolveIn,
    StepOut,
    TickIn,
    TransitionIn,
)
from campusguard.core import audit
from campusguard.core.auth import Principal, current_principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import BadRequest, Forbidden, NotFound, PayloadTooLarge, Unprocessable
from campusguard.core.pagination import PageParams, page_params
from campusguard.core.scope import check_school
from campusguard.device.models import Device
from campusguard.org.models import Area, School

log = structlog.get_logger(__name__)
router = APIRouter(tags=["alarm"])

router.include_router(intake_router)  # device HTTP events, online rate (alarm-intake work package)

Read = Annotated[Principal, Depends(require("alarm.read"))]
Handle = Annotated[Principal, Depends(require("alarm.handle"))]
PlanAdmin = Annotated[Principal, Depends(require("alarm.plan.admin"))]
HandoffAdmin = Annotated[Principal, Depends(require("alarm.handoff.admin"))]
Drill = Annotated[Principal, Depends(require("alarm.drill"))]
Anyone = Annotated[Principal, Depends(current_principal)]
PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}


# ---------------------------------------------------------------- incidents


@router.get("/incidents", response_model=IncidentPage)
def list_incidents(
    session: SessionDep,
    principal: Read,
    params: Annotated[PageParams, Depends(page_params)],
    status: Annotated[list[str] | None, Query()] = None,
    school_id: int | None = None,
    type: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    is_drill: bool | None = None,
    open: bool = False,
) -> dict[str, Any]:
    """Incidents in the caller's scope, newest first."""
    for value in (since, until):
        if value is not None and value.tzinfo is None:
            raise BadRequest("since/until need a timezone offset", code="naive_datetime")
    items, total = service.list_incidents(
        session,
        principal,
        service.IncidentFilter(
            status=status,
            school_id=school_id,
            type=type,
            since=since,
            until=until,
            is_drill=is_drill,
            open_only=open,
        ),
        params,
    )
    return {"items": items, "total": total}


@router.post("/incidents", response_model=IncidentOut, status_code=201)
def raise_manual(body: ManualAlarmIn, session: SessionDep, principal: Handle) -> Incident:
    """An operator raises an incident by hand (phone call, walk-in report)."""
    check_school(session, principal, body.school_id)
    if body.area_id is not None:
        area = session.get(Area, body.area_id)
        if area is None or area.school_id != body.school_id:
            raise BadRequest("area does not belong to the school", code="bad_area")
    incident = service.raise_incident(
        session,
        school_id=body.school_id,
        alarm_type=body.type,
        area_id=body.area_id,
        source="manual",
        detail={"reported_by": principal.label, "note": body.note or ""},
    )
    audit.record(
        session,
        principal=principal,
        action="alarm.raise",
        target_type="incident",
        target_id=incident.id,
        school_id=incident.school_id,
        district_code=incident.district_code,
        detail={"type": body.type},
    )
    return incident


def _detail(session: SessionDep, incident: Incident, principal: Principal) -> dict[str, Any]:
    school = session.get(School, incident.school_id)
    area = session.get(Area, incident.area_id) if incident.area_id else None
    device = session.get(Device, incident.device_id) if incident.device_id else None
    plan = session.get(Plan, incident.plan_id) if incident.plan_id else None
    esc = session.scalars(select(Escalation).where(Escalation.incident_id == incident.id)).first()
    notes = session.scalars(
        select(IncidentNote).where(IncidentNote.incident_id == incident.id).order_by(IncidentNote.id)
    ).all()
    out = IncidentOut.model_validate(incident).model_dump()
    out.update(
        school_name=school.name if school else None,
        school_code=school.code if school else None,
        area_name=area.name if area else None,
        device_code=device.code if device else None,
        timeline=[StepOut.model_validate(s) for s in service.timeline(session, incident.id)],
        notes=[
            NoteOut.model_validate(n).model_copy(
                update={
                    "photo_url": f"/api/v1/incidents/{incident.id}/notes/{n.id}/photo"
                    if n.photo_path
                    else None
                }
            )
            for n in notes
        ],
        checklist=[ChecklistItem(**c) for c in plans.checklist(session, incident)],
        plan_title=plan.title if plan else None,
        plan_version=plan.version if plan else None,
        escalation={
            "status": esc.status,
            "position": esc.position,
            "round": esc.round,
            "next_at": esc.next_at,
            "level": incident.escalation_level,
        }
        if esc
        else None,
    )
    return out


@router.get("/incidents/{incident_id}", response_model=IncidentDetail)
def get_incident(incident_id: int, session: SessionDep, principal: Read) -> dict[str, Any]:
    """One incident with school, timeline, notes, checklist and escalation state."""
    return _detail(session, service.get_incident(session, principal, incident_id), principal)


def _transition(
    action: str, incident_id: int, session: SessionDep, principal: Principal, body: TransitionIn | None
) -> dict[str, Any]:
    outcome = body.outcome if isinstance(body, ResolveIn) else None
    incident = service.transition(
        session, principal, incident_id, action, outcome=outcome, note=body.note if body else None
    )
    return _detail(session, incident, principal)


@router.post("/incidents/{incident_id}/ack", response_model=IncidentDetail)
def ack(incident_id: int, session: SessionDep, principal: Handle, body: TransitionIn | None = None) -> Any:
    """Acknowledge: stops the escalation chain."""
    return _transition("ack", incident_id, session, principal, body)


@router.post("/incidents/{incident_id}/dispatch", response_model=IncidentDetail)
def dispatch(
    incident_id: int, session: SessionDep, principal: Handle, body: TransitionIn | None = None
) -> Any:
    """Guards or police are on their way."""
    return _transition("dispatch", incident_id, session, principal, body)


@router.post("/incidents/{incident_id}/arrive", response_model=IncidentDetail)
def arrive(incident_id: int, session: SessionDep, principal: Handle, body: TransitionIn | None = None) -> Any:
    """Responders are on scene."""
    return _transition("arrive", incident_id, session, principal, body)


@router.post("/incidents/{incident_id}/resolve", response_model=IncidentDetail)
def resolve(incident_id: int, session: SessionDep, principal: Handle, body: ResolveIn | None = None) -> Any:
    """Close the incident with its outcome (real, false_alarm, drill, test)."""
    return _transition("resolve", incident_id, session, principal, body or ResolveIn())


@router.post("/incidents/{incident_id}/notes", response_model=NoteOut, status_code=201)
def add_note(incident_id: int, body: NoteIn, session: SessionDep, principal: Handle) -> IncidentNote:
    """A free-text note on the incident's timeline."""
    incident = service.get_incident(session, principal, incident_id)
    note = IncidentNote(
        incident_id=incident.id,
        author=principal.label,
        author_id=principal.id if principal.kind == "user" else None,
        text=body.text,
    )
    session.add(note)
    session.flush()
    service.record_update(session, principal, incident, "note", {"note_id": note.id, "text": body.text[:200]})
    return note


@router.post("/incidents/{incident_id}/photos", response_model=NoteOut, status_code=201)
async def add_photo(
    request: Request,
    incident_id: int,
    session: SessionDep,
    principal: Handle,
    file: Annotated[UploadFile, File()],
    text: Annotated[str, Form(max_length=5000)] = "",
) -> Any:
    """A scene photo (JPEG/PNG/WebP, checked by decoding, size-limited), stored under the data dir."""
    limit: int = request.app.state.settings.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"photo larger than {limit} bytes", code="photo_too_large")
    if not data:
        raise BadRequest("empty upload", code="photo_empty")
    try:
        with Image.open(io.BytesIO(data)) as img:
            fmt = img.format or ""
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise Unprocessable("the upload is not a readable image", code="photo_invalid") from exc
    if fmt not in PHOTO_FORMATS:
        raise Unprocessable(f"image format {fmt} not accepted (JPEG, PNG, WebP)", code="photo_format")
    mime, ext = PHOTO_FORMATS[fmt]
    return await _store_photo(request, session, principal, incident_id, data, mime, ext, text)


async def _store_photo(
    request: Request,
    session: SessionDep,
    principal: Principal,
    incident_id: int,
    data: bytes,
    mime: str,
    ext: str,
    text: str,
) -> NoteOut:
    import anyio

    def _write() -> IncidentNote:
        incident = service.get_incident(session, principal, incident_id)
        digest = hashlib.sha256(data).hexdigest()
        rel = Path("alarm") / "photos" / str(incident.id) / f"{digest}.{ext}"
        path = Path(request.app.state.settings.data_dir) / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_bytes(data)
        note = IncidentNote(
            incident_id=incident.id,
            author=principal.label,
            author_id=principal.id if principal.kind == "user" else None,
            text=text,
            photo_path=str(rel),
            photo_mime=mime,
            photo_size=len(data),
            photo_sha256=digest,
        )
        session.add(note)
        session.flush()
        service.record_update(
            session, principal, incident, "photo", {"note_id": note.id, "sha256": digest, "size": len(data)}
        )
        return note

    note = await anyio.to_thread.run_sync(_write)
    return NoteOut.model_validate(note).model_copy(
        update={"photo_url": f"/api/v1/incidents/{note.incident_id}/notes/{note.id}/photo"}
    )


@router.get("/incidents/{incident_id}/notes/{note_id}/photo")
def get_photo(
    request: Request, incident_id: int, note_id: int, session: SessionDep, principal: Read
) -> Response:
    """The stored photo of a note."""
    incident = service.get_incident(session, principal, incident_id)
    note = session.get(IncidentNote, note_id)
    if note is None or note.incident_id != incident.id or not note.photo_path:
        raise NotFound("no such photo")
    path = Path(request.app.state.settings.data_dir) / note.photo_path
    if not path.is_file():
        raise NotFound("photo file missing", code="photo_missing")
    return FileResponse(path, media_type=note.photo_mime or "application/octet-stream")


@router.post("/incidents/{incident_id}/checklist/{step}", response_model=list[ChecklistItem])
def tick_step(
    incident_id: int, step: int, session: SessionDep, principal: Handle, body: TickIn | None = None
) -> Any:
    """Tick (or untick) one step of the incident's emergency plan."""
    body = body or TickIn()
    incident = service.get_incident(session, principal, incident_id)
    plans.tick(session, principal, incident, step, done=body.done, note=body.note)
    service.record_update(session, principal, incident, "checklist", {"step": step, "done": body.done})
    return plans.checklist(session, incident)


@router.get("/incidents/{incident_id}/notifications", response_model=list[NotificationOut])
def incident_notifications(incident_id: int, session: SessionDep, principal: Read) -> Any:
    """Every notification sent for the incident, with its delivery status."""
    incident = service.get_incident(session, principal, incident_id)
    return session.scalars(
        select(Notification).where(Notification.incident_id == incident.id).order_by(Notification.id)
    ).all()


@router.get("/incidents/{incident_id}/handoff", response_model=list[DeliveryOut])
def incident_handoff(incident_id: int, session: SessionDep, principal: Read) -> Any:
    """The incident's messages to the police command centre."""
    incident = service.get_incident(session, principal, incident_id)
    return session.scalars(
        select(HandoffDelivery).where(HandoffDelivery.incident_id == incident.id).order_by(HandoffDelivery.id)
    ).all()


@router.get("/incidents/{incident_id}/video", response_model=IncidentVideo)
def incident_video(incident_id: int, session: SessionDep, principal: Read) -> IncidentVideo:
    """The incident's cameras mapped to the video module's cameras (through its service), for live view and clips."""
    from campusguard.video import service as video_service  # video is optional at import time of alarm

    incident = service.get_incident(session, principal, incident_id)
    can_watch = principal.can("video.live")
    by_device: dict[int, Any] = {}
    if can_watch:
        school = session.get(School, incident.school_id)
        if school is not None:
            found, _ = video_service.list_cameras(session, principal, school_code=school.code, limit=500)
            by_device = {c.device_id: c for c in found}
    cameras = []
    for entry in incident.cameras or []:
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
            continue
        cam = by_device.get(entry["id"])
        cameras.append(IncidentCamera(
            device_id=entry["id"], code=entry.get("code"), name=entry.get("name"),
            same_area=bool(entry.get("same_area")), online=entry.get("online"),
            camera_id=cam.id if cam else None, status=cam.status if cam else None,
        ))
    return IncidentVideo(can_watch=can_watch, can_clip=principal.can("video.clip"), cameras=cameras)


# ---------------------------------------------------------------- plans


@router.get("/alarm/plans", response_model=list[PlanOut])
def get_plans(
    session: SessionDep, principal: Read, alarm_type: str | None = None, history: bool = False
) -> Any:
    """Current emergency plans (or every version with history=true)."""
    return plans.list_plans(session, alarm_type=alarm_type, history=history)


@router.get("/alarm/plans/{plan_id}/versions", response_model=list[PlanOut])
def plan_versions(plan_id: int, session: SessionDep, principal: Read) -> Any:
    plan = session.get(Plan, plan_id)
    if plan is None:
        raise NotFound(f"no plan {plan_id}")
    return plans.versions(session, plan.key)


@router.post("/alarm/plans", response_model=PlanOut, status_code=201)
def create_plan(body: PlanIn, session: SessionDep, principal: PlanAdmin) -> Plan:
    plan = plans.create_plan(
        session,
        principal,
        alarm_type=body.alarm_type,
        school_type=body.school_type,
        title=body.title,
        steps=[s.model_dump() for s in body.steps],
    )
    audit.record(
        session,
        principal=principal,
        action="alarm.plan_create",
        target_type="plan",
        target_id=plan.id,
        detail={"alarm_type": plan.alarm_type, "school_type": plan.school_type},
    )
    return plan


@router.put("/alarm/plans/{plan_id}", response_model=PlanOut)
def edit_plan(plan_id: int, body: PlanEdit, session: SessionDep, principal: PlanAdmin) -> Plan:
    """Save an edit as a new version (running incidents keep the version they started with)."""
    plan = plans.edit_plan(
        session, principal, plan_id, title=body.title, steps=[s.model_dump() for s in body.steps]
    )
    audit.record(
        session,
        principal=principal,
        action="alarm.plan_edit",
        target_type="plan",
        target_id=plan.id,
        detail={"key": plan.key, "version": plan.version},
    )
    return plan


# ---------------------------------------------------------------- escalation chains


@router.get("/alarm/escalation-chains", response_model=list[ChainOut])
def get_chains(session: SessionDep, principal: Read) -> Any:
    return escalation.list_chains(session)


@router.put("/alarm/escalation-chains", response_model=ChainOut)
def put_chain(body: ChainIn, session: SessionDep, principal: PlanAdmin) -> Any:
    """Create or replace a district's chain (district police: their own district only)."""
    if principal.role.value != "city_admin" and body.district_code != principal.region_code:
        raise Forbidden("you may only configure your own district's chain", code="out_of_scope")
    try:
        chain = escalation.upsert_chain(
            session, district_code=body.district_code, name=body.name, steps=body.steps, enabled=body.enabled
        )
    except ValueError as exc:
        raise Unprocessable(str(exc)[:500], code="bad_chain") from exc
    audit.record(
        session,
        principal=principal,
        action="alarm.chain_set",
        target_type="escalation_chain",
        target_id=chain.id,
        district_code=body.district_code,
        detail={"steps": len(chain.steps)},
    )
    return chain


# ---------------------------------------------------------------- hand-off endpoints


def _endpoint_out(ep: HandoffEndpoint) -> EndpointOut:
    return EndpointOut.model_validate(ep).model_copy(update={"has_secret": bool(ep.secret)})


@router.get("/handoff/endpoints", response_model=list[EndpointOut])
def list_endpoints(session: SessionDep, principal: HandoffAdmin) -> Any:
    return [_endpoint_out(e) for e in session.scalars(select(HandoffEndpoint).order_by(HandoffEndpoint.id))]


@router.post("/handoff/endpoints", response_model=EndpointOut, status_code=201)
def create_endpoint(body: EndpointIn, session: SessionDep, principal: HandoffAdmin) -> Any:
    """A command-centre endpoint; JSON webhooks must carry a signing secret."""
    if body.format == "json" and not body.secret:
        raise BadRequest("JSON webhooks need a secret for the HMAC signature", code="secret_required")
    if session.scalars(select(HandoffEndpoint).where(HandoffEndpoint.name == body.name)).first():
        raise BadRequest(f"endpoint {body.name!r} exists", code="duplicate_name")
    ep = HandoffEndpoint(**body.model_dump(exclude={"url"}), url=str(body.url))
    session.add(ep)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="alarm.handoff_endpoint_create",
        target_type="endpoint",
        target_id=ep.id,
        detail={"name": ep.name, "format": ep.format, "url": ep.url},
    )
    return _endpoint_out(ep)


@router.put("/handoff/endpoints/{endpoint_id}", response_model=EndpointOut)
def update_endpoint(endpoint_id: int, body: EndpointIn, session: SessionDep, principal: HandoffAdmin) -> Any:
    ep = session.get(HandoffEndpoint, endpoint_id)
    if ep is None:
        raise NotFound(f"no endpoint {endpoint_id}")
    data = body.model_dump(exclude={"url", "secret"})
    for key, value in data.items():
        setattr(ep, key, value)
    ep.url = str(body.url)
    if body.secret:
        ep.secret = body.secret
    audit.record(
        session,
        principal=principal,
        action="alarm.handoff_endpoint_update",
        target_type="endpoint",
        target_id=ep.id,
        detail={"name": ep.name, "url": ep.url, "enabled": ep.enabled},
    )
    return _endpoint_out(ep)


@router.delete("/handoff/endpoints/{endpoint_id}", status_code=204)
def delete_endpoint(endpoint_id: int, session: SessionDep, principal: HandoffAdmin) -> Response:
    ep = session.get(HandoffEndpoint, endpoint_id)
    if ep is None:
        raise NotFound(f"no endpoint {endpoint_id}")
    ep.enabled = False  # deliveries and receipts stay as evidence
    audit.record(
        session,
        principal=principal,
        action="alarm.handoff_endpoint_disable",
        target_type="endpoint",
        target_id=ep.id,
        detail={"name": ep.name},
    )
    return Response(status_code=204)


@router.get("/handoff/deliveries", response_model=list[DeliveryOut])
def list_deliveries(
    session: SessionDep,
    principal: HandoffAdmin,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """Deliveries, e.g. status=dead for the dead-letter list."""
    stmt = select(HandoffDelivery).order_by(HandoffDelivery.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(HandoffDelivery.status == status)
    return session.scalars(stmt).all()


@router.get("/handoff/deliveries/{delivery_id}/receipts", response_model=list[ReceiptOut])
def delivery_receipts(delivery_id: int, session: SessionDep, principal: HandoffAdmin) -> Any:
    return session.scalars(
        select(HandoffReceipt)
        .where(HandoffReceipt.delivery_id == delivery_id)
        .order_by(HandoffReceipt.attempt)
    ).all()


@router.post("/handoff/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
def retry_delivery(delivery_id: int, session: SessionDep, principal: HandoffAdmin) -> Any:
    """Send a dead letter again."""
    row = handoff.retry(session, delivery_id)
    if row is None:
        raise NotFound(f"no delivery {delivery_id}")
    audit.record(
        session, principal=principal, action="alarm.handoff_retry", target_type="delivery", target_id=row.id
    )
    return row


# ---------------------------------------------------------------- gateways and push


@router.get("/alarm/gateways", response_model=list[GatewayOut])
def list_gateways(session: SessionDep, principal: HandoffAdmin) -> Any:
    return session.scalars(select(Gateway).order_by(Gateway.id)).all()


@router.post("/alarm/gateways", response_model=GatewayOut, status_code=201)
def create_gateway(body: GatewayIn, session: SessionDep, principal: HandoffAdmin) -> Any:
    """An SMS or voice gateway reached by an HTTP webhook."""
    if session.scalars(select(Gateway).where(Gateway.name == body.name)).first():
        raise BadRequest(f"gateway {body.name!r} exists", code="duplicate_name")
    gw = Gateway(
        name=body.name, channel=body.channel, url=str(body.url), secret=body.secret, enabled=body.enabled
    )
    session.add(gw)
    session.flush()
    audit.record(
        session,
        principal=principal,
        action="alarm.gateway_create",
        target_type="gateway",
        target_id=gw.id,
        detail={"name": gw.name, "channel": gw.channel},
    )
    return gw


@router.get("/push/vapid-public-key")
def vapid_public_key(session: SessionDep, principal: Anyone) -> dict[str, str]:
    """The applicationServerKey browsers need to subscribe."""
    return {"public_key": notify.vapid_key(session).public_key}


@router.post("/push/subscriptions", status_code=201)
def push_subscribe(
    request: Request, body: PushSubscriptionIn, session: SessionDep, principal: Anyone
) -> dict[str, Any]:
    """Register this browser/phone for Web Push alarm notifications."""
    if principal.kind != "user":
        raise Forbidden("only users receive push notifications", code="users_only")
    row = notify.subscribe(
        session,
        user_id=principal.id,
        endpoint=str(body.endpoint),
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        user_agent=request.headers.get("user-agent", "")[:200],
    )
    return {"id": row.id, "endpoint": row.endpoint}


@router.delete("/push/subscriptions", status_code=204)
def push_unsubscribe(endpoint: str, session: SessionDep, principal: Anyone) -> Response:
    from campusguard.alarm.models import PushSubscription

    row = session.scalars(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.user_id == principal.id
        )
    ).first()
    if row is None:
        raise NotFound("no such subscription")
    session.delete(row)
    return Response(status_code=204)


# ---------------------------------------------------------------- drills


@router.get("/schools/{school_id}/drill-window", response_model=DrillWindowOut | None)
def get_drill_window(school_id: int, session: SessionDep, principal: Read) -> Any:
    """The school's open drill window, or null."""
    check_school(session, principal, school_id, write=False)
    return service.active_drill_window(session, school_id)


@router.post("/schools/{school_id}/drill-window", response_model=DrillWindowOut)
def drill_window(school_id: int, body: DrillWindowIn, session: SessionDep, principal: Drill) -> Any:
    """Start or stop a drill window: presses during it are drill incidents (CAP Exercise)."""
    if body.action == "start":
        return service.start_drill_window(
            session, principal, school_id, minutes=body.minutes, title=body.title
        )
    return service.stop_drill_window(session, principal, school_id)
