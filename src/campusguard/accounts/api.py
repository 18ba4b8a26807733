"""Routes for login, the current user, user administration, integrator tokens and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel
from sqlalchemy import select

from campusguard.accounts import service
from campusguard.accounts.schemas import (
    IntegratorTokenIn,
    IntegratorTokenOut,
    Me,
    PasswordChange,
    RefreshIn,
    TokenPair,
    TotpConfirm,
    TotpSetup,
    UserIn,
    UserOut,
    UserPatch,
)
from campusguard.core import audit
from campusguard.core.auth import Principal, current_principal, require
from campusguard.core.db import SessionDep
from campusguard.core.errors import Forbidden
from campusguard.core.models import AuditLog
from campusguard.core.pagination import Page, PageParams, page_params, paginate
from campusguard.core.permissions import Role
from campusguard.core.scope import allowed_school_ids

router = APIRouter()


@router.post("/auth/token", response_model=TokenPair, tags=["auth"])
def token(request: Request, session: SessionDep, username: Annotated[str, Form(max_length=64)],
          password: Annotated[str, Form(max_length=128)],
          otp: Annotated[str | None, Form(max_length=8)] = None) -> dict[str, Any]:
    """OAuth2 password flow; `otp` carries the TOTP code when the account has a second factor."""
    ip = request.client.host if request.client else None
    return service.login(session, request.app.state.settings, request.app.state.login_limiter,
                         username=username, password=password, otp=otp, ip=ip)


@router.post("/auth/refresh", response_model=TokenPair, tags=["auth"])
def refresh(data: RefreshIn, request: Request, session: SessionDep) -> dict[str, Any]:
    return service.refresh(session, request.app.state.settings, data.refresh_token)


@router.get("/me", response_model=Me, tags=["auth"])
def me(request: Request, session: SessionDep,
       principal: Annotated[Principal, Depends(current_principal)]) -> Me:
    if principal.kind != "user":
        raise Forbidden("only users have a profile", code="not_a_user")
    user = service.get_user(session, principal.id)
    return Me(id=user.id, username=user.username, display_name=user.display_name, role=user.role,
              region_code=user.region_code, school_codes=list(user.school_codes or []), person_id=user.person_id,
              permissions=sorted(principal.permissions), mfa_enabled=user.mfa_enabled,
              mfa_required=user.role in request.app.state.settings.mfa_required_roles)


@router.post("/me/totp", response_model=TotpSetup, tags=["auth"])
def totp_start(session: SessionDep, principal: Annotated[Principal, Depends(current_principal)]) -> TotpSetup:
    secret, uri = service.start_totp(session, principal)
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, border=2)
    return TotpSetup(secret=secret, otpauth_uri=uri, qr_svg=qr)


@router.post("/me/totp/confirm", status_code=204, tags=["auth"])
def totp_confirm(data: TotpConfirm, session: SessionDep,
                 principal: Annotated[Principal, Depends(current_principal)]) -> None:
    service.confirm_totp(session, principal, data.code)


@router.post("/me/password", status_code=204, tags=["auth"])
def password(data: PasswordChange, session: SessionDep,
             principal: Annotated[Principal, Depends(current_principal)]) -> None:
    service.change_password(session, principal, data.old_password, data.new_password)


Admin = Annotated[Principal, Depends(require("user.admin"))]


@router.get("/users", response_model=Page[UserOut], tags=["users"])
def list_users(session: SessionDep, principal: Admin, params: Annotated[PageParams, Depends(page_params)],
               role: str | None = None) -> Page[UserOut]:
    rows, total = paginate(session, service.user_query(session, principal, role), params)
    return Page(items=[UserOut.model_validate(u) for u in rows], total=total)


@router.post("/users", response_model=UserOut, status_code=201, tags=["users"])
def create_user(data: UserIn, session: SessionDep, principal: Admin) -> UserOut:
    return UserOut.model_validate(service.create_user(session, principal, data))


@router.get("/users/{user_id}", response_model=UserOut, tags=["users"])
def get_user(user_id: int, session: SessionDep, principal: Admin) -> UserOut:
    return UserOut.model_validate(service.visible_user(session, principal, user_id))


@router.patch("/users/{user_id}", response_model=UserOut, tags=["users"])
def update_user(user_id: int, data: UserPatch, session: SessionDep, principal: Admin) -> UserOut:
    return UserOut.model_validate(service.update_user(session, principal, user_id, data))


@router.post("/integrators/tokens", response_model=IntegratorTokenOut, status_code=201, tags=["users"])
def integrator_token(data: IntegratorTokenIn, session: SessionDep,
                     principal: Annotated[Principal, Depends(require("integrator.admin"))]) -> IntegratorTokenOut:
    row, tok = service.create_integrator_token(session, principal, data.name, data.region_code)
    return IntegratorTokenOut(id=row.id, token=tok, name=row.name, region_code=data.region_code)


class AuditOut(BaseModel):
    id: int
    seq: int
    at: datetime
    actor: str
    role: str
    action: str
    target_type: str | None
    target_id: str | None
    school_id: int | None
    district_code: str | None
    request_id: str | None
    detail: dict[str, Any]


class VerifyOut(BaseModel):
    ok: bool
    rows: int
    first_bad_seq: int | None
    reason: str


@router.get("/audit", response_model=Page[AuditOut], tags=["audit"])
def list_audit(session: SessionDep, principal: Annotated[Principal, Depends(require("audit.read"))],
               params: Annotated[PageParams, Depends(page_params)], action: str | None = None,
               actor: str | None = None, target_type: str | None = None, target_id: str | None = None,
               school_id: int | None = None, since: datetime | None = None,
               until: Annotated[datetime | None, Query()] = None) -> Page[AuditOut]:
    """Scoped: a district sees its district's and schools' rows, a school its own."""
    stmt = select(AuditLog).order_by(AuditLog.seq.desc())
    ids = allowed_school_ids(session, principal)
    if ids is not None:
        in_schools = AuditLog.school_id.in_(sorted(ids))
        stmt = stmt.where(in_schools | (AuditLog.district_code == principal.region_code)
                          if principal.region_code else in_schools)
    if action:
        stmt = stmt.where(AuditLog.action.startswith(action))
    if actor:
        stmt = stmt.where(AuditLog.actor == actor)
    if target_type:
        stmt = stmt.where(AuditLog.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditLog.target_id == target_id)
    if school_id:
        stmt = stmt.where(AuditLog.school_id == school_id)
    if since:
        stmt = stmt.where(AuditLog.at >= since)
    if until:
        stmt = stmt.where(AuditLog.at < until)
    rows, total = paginate(session, stmt, params)
    return Page(items=[AuditOut.model_validate(r, from_attributes=True) for r in rows], total=total)


@router.get("/audit/verify", response_model=VerifyOut, tags=["audit"])
def verify_audit(session: SessionDep, principal: Annotated[Principal, Depends(require("audit.read"))]) -> VerifyOut:
    if principal.role != Role.city_admin:
        raise Forbidden("only the city administrator verifies the whole chain", code="forbidden")
    result = audit.verify(session)
    return VerifyOut(ok=result.ok, rows=result.rows, first_bad_seq=result.first_bad_seq, reason=result.reason)
