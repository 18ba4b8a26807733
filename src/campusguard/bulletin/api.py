"""HTTP routes of publicity: bulletins, lessons, anonymous reports (no login) and speaker broadcasts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile

from campusguard.bulletin import broadcast, reports, service
from campusguard.bulletin.schemas import (
    AttachmentOut,
    BroadcastIn,
    BulletinIn,
    BulletinOut,
    FollowUpIn,
    FollowUpMessageIn,
    LessonIn,
    LessonOut,
    ReplyIn,
    ReportCreated,
    ReportIn,
)
from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import BadRequest
from campusguard.core.pagination import Page, PageParams, page_params, paginate

router = APIRouter(tags=["bulletin"])

ReaderP = Annotated[Principal, Depends(require("bulletin.read"))]
Publisher = Annotated[Principal, Depends(require("bulletin.publish"))]
Handler = Annotated[Principal, Depends(require("report.handle"))]
Sender = Annotated[Principal, Depends(require("broadcast.send"))]
Params = Annotated[PageParams, Depends(page_params)]


def _limit(request: Request, name: str, limit: tuple[int, float]) -> None:
    """Count the caller in the app's in-memory limiter (salted address hash; never stored or logged)."""
    state = request.app.state
    limiter = getattr(state, f"bulletin_{name}_limiter", None)
    if limiter is None:
        limiter = reports.AnonymousLimiter(*limit)
        setattr(state, f"bulletin_{name}_limiter", limiter)
    limiter.hit(request.client.host if request.client else "-")


def _out(b: Any, read: bool, atts: list[Any]) -> BulletinOut:
    out = BulletinOut.model_validate(b)
    out.read = read
    out.attachments = [AttachmentOut.model_validate(a) for a in atts]
    return out


# ---- bulletins ---------------------------------------------------------------------------------


@router.post("/bulletins", response_model=BulletinOut, status_code=201)
def publish_bulletin(data: BulletinIn, session: SessionDep, principal: Publisher) -> BulletinOut:
    return _out(service.create(session, principal, data), False, [])


@router.get("/bulletins", response_model=Page[BulletinOut])
def list_bulletins(
    session: SessionDep, principal: ReaderP, params: Params, category: str | None = None
) -> dict[str, Any]:
    rows, total = service.list_for(
        session, principal, category=category, limit=params.limit, offset=params.offset
    )
    atts = service.attachments(session, [b.id for b, _ in rows])
    return {"items": [_out(b, read, atts.get(b.id, [])) for b, read in rows], "total": total}


@router.get("/bulletins/{bulletin_id}", response_model=BulletinOut)
def get_bulletin(bulletin_id: int, session: SessionDep, principal: ReaderP) -> BulletinOut:
    b = service.get(session, principal, bulletin_id)
    return _out(
        b, service.has_read(session, principal, b.id), service.attachments(session, [b.id]).get(b.id, [])
    )


@router.post("/bulletins/{bulletin_id}/read")
def read_bulletin(bulletin_id: int, session: SessionDep, principal: ReaderP) -> dict[str, Any]:
    row = service.mark_read(session, principal, bulletin_id)
    return {"bulletin_id": bulletin_id, "read_at": row.read_at}


@router.get("/bulletins/{bulletin_id}/stats")
def bulletin_stats(bulletin_id: int, session: SessionDep, principal: ReaderP) -> dict[str, Any]:
    return service.stats(session, principal, bulletin_id)


@router.post("/bulletins/{bulletin_id}/attachments", response_model=AttachmentOut, status_code=201)
async def attach(
    bulletin_id: int, session: SessionDep, principal: Publisher, file: Annotated[UploadFile, File()]
) -> Any:
    data = await file.read(service.MAX_ATTACHMENT_BYTES + 1)
    return service.add_attachment(
        session, principal, bulletin_id, filename=file.filename or "attachment", data=data
    )


@router.get("/bulletins/{bulletin_id}/attachments/{attachment_id}")
def download(bulletin_id: int, attachment_id: int, session: SessionDep, principal: ReaderP) -> Response:
    a = service.get_attachment(session, principal, bulletin_id, attachment_id)
    return Response(
        a.data,
        media_type=a.content_type,
        headers={
            "Content-Disposition": "attachment; filename*=UTF-8''" + _quote(a.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )


def _quote(name: str) -> str:
    return quote(name, safe="")


# ---- safety lessons ----------------------------------------------------------------------------


@router.post("/safety-lessons", response_model=LessonOut, status_code=201)
def log_lesson(
    data: LessonIn, session: SessionDep, principal: Annotated[Principal, Depends(require("drill.manage"))]
) -> Any:
    return service.log_lesson(session, principal, data)


@router.get("/safety-lessons", response_model=Page[LessonOut])
def list_lessons(
    session: SessionDep, principal: ReaderP, params: Params, school_id: int | None = None
) -> dict[str, Any]:
    items, total = paginate(session, service.lesson_query(session, principal, school_id), params)
    return {"items": items, "total": total}


# ---- anonymous reports (no login) --------------------------------------------------------------


@router.post("/reports", response_model=ReportCreated, status_code=201)
def submit_report(data: ReportIn, request: Request, session: SessionDep) -> ReportCreated:
    """Anonymous: no authentication; nothing about the caller is stored."""
    _limit(request, "submit", reports.SUBMIT_LIMIT)
    report, code = reports.submit(session, data)
    return ReportCreated(case_number=report.case_number, follow_up_code=code, status=report.status)


@router.post("/reports/follow-up")
def follow_up(data: FollowUpIn, request: Request, session: SessionDep) -> dict[str, Any]:
    _limit(request, "follow", reports.FOLLOW_LIMIT)
    return reports.reporter_view(session, reports.by_code(session, data.case_number, data.code))


@router.post("/reports/follow-up/messages", status_code=201)
def follow_up_message(data: FollowUpMessageIn, request: Request, session: SessionDep) -> dict[str, Any]:
    _limit(request, "follow", reports.FOLLOW_LIMIT)
    report = reports.by_code(session, data.case_number, data.code)
    if report.status == "closed":
        raise BadRequest("this case is closed; file a new report", code="case_closed")
    reports.add_reporter_message(session, report, data.body)
    return reports.reporter_view(session, report)


@router.get("/reports")
def list_reports(
    session: SessionDep,
    principal: Handler,
    params: Params,
    status: Annotated[str | None, Query(pattern="^(received|handling|closed)$")] = None,
) -> dict[str, Any]:
    items, total = paginate(session, reports.handler_query(session, principal, status), params)
    return {"items": [_report_out(r) for r in items], "total": total}


def _report_out(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "case_number": r.case_number,
        "school_id": r.school_id,
        "category": r.category,
        "description": r.description,
        "status": r.status,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


@router.get("/reports/{report_id}")
def get_report(report_id: int, session: SessionDep, principal: Handler) -> dict[str, Any]:
    r = reports.get_for_handler(session, principal, report_id)
    return {
        **_report_out(r),
        "messages": [
            {"author": m.author, "role": m.handler_role, "body": m.body, "at": m.at}
            for m in reports.messages(session, r.id)
        ],
    }


@router.post("/reports/{report_id}/reply")
def reply_report(report_id: int, data: ReplyIn, session: SessionDep, principal: Handler) -> dict[str, Any]:
    r = reports.reply(session, principal, report_id, data)
    return get_report(r.id, session, principal)


# ---- broadcasts --------------------------------------------------------------------------------


def _broadcast_out(session: SessionDep, b: Any) -> dict[str, Any]:
    return {
        "id": b.id,
        "title": b.title,
        "source": b.source,
        "text": b.text,
        "voice": b.voice,
        "duration_s": b.duration_s,
        "school_ids": b.school_ids,
        "scheduled_at": b.scheduled_at,
        "status": b.status,
        "created_by_name": b.created_by_name,
        "created_at": b.created_at,
        "deliveries": [
            {
                "device_id": d.device_id,
                "device_code": d.device_code,
                "school_id": d.school_id,
                "status": d.status,
                "attempts": d.attempts,
                "detail": d.detail,
                "played_s": d.played_s,
                "delivered_at": d.delivered_at,
            }
            for d in broadcast.deliveries(session, b.id)
        ],
    }


@router.post("/broadcasts", status_code=201)
def create_broadcast(data: BroadcastIn, session: SessionDep, principal: Sender) -> dict[str, Any]:
    return _broadcast_out(session, broadcast.create_tts(session, principal, data))


@router.post("/broadcasts/recording", status_code=201)
async def create_recording(
    session: SessionDep,
    principal: Sender,
    file: Annotated[UploadFile, File()],
    title: Annotated[str, Form(min_length=1, max_length=200)],
    school_codes: Annotated[str, Form(min_length=1, max_length=5000)],
    scheduled_at: Annotated[datetime | None, Form()] = None,
) -> dict[str, Any]:
    data = await file.read(broadcast.MAX_RECORDING_BYTES + 1)
    codes = [c.strip() for c in school_codes.split(",") if c.strip()]
    b = broadcast.create_recording(
        session,
        principal,
        title=title,
        data=data,
        school_codes=codes,
        device_ids=[],
        scheduled_at=scheduled_at,
    )
    return _broadcast_out(session, b)


@router.get("/broadcasts")
def list_broadcasts(session: SessionDep, principal: Sender, params: Params) -> dict[str, Any]:
    items, total = paginate(session, broadcast.list_query(session, principal), params)
    return {"items": [_broadcast_out(session, b) for b in items], "total": total}


@router.get("/broadcasts/{broadcast_id}")
def get_broadcast(broadcast_id: int, session: SessionDep, principal: Sender) -> dict[str, Any]:
    return _broadcast_out(session, broadcast.get(session, principal, broadcast_id))


@router.get("/broadcasts/{broadcast_id}/audio")
def broadcast_audio(broadcast_id: int, session: SessionDep, principal: Sender) -> Response:
    b = broadcast.get(session, principal, broadcast_id)
    return Response(b.audio or b"", media_type="audio/wav")


@router.post("/broadcasts/{broadcast_id}/cancel")
def cancel_broadcast(broadcast_id: int, session: SessionDep, principal: Sender) -> dict[str, Any]:
    return _broadcast_out(session, broadcast.cancel(session, principal, broadcast_id))
