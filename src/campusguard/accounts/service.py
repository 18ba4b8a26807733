"""Users: login with rate limit and TOTP, tokens, creation within the creator's reach."""

from __future__ import annotations

from typing import Any

import pyotp
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from campusguard.accounts.models import User
from campusguard.accounts.schemas import UserIn, UserPatch
from campusguard.config import Settings
from campusguard.core import audit
from campusguard.core.auth import (
    LoginLimiter,
    Principal,
    decode_token,
    hash_password,
    issue_tokens,
    verify_password,
    verify_totp,
)
from campusguard.core.crypto import hash_token, new_token
from campusguard.core.db import utcnow
from campusguard.core.errors import BadRequest, Conflict, Forbidden, NotFound, Unauthorized
from campusguard.core.models import ApiToken
from campusguard.core.permissions import CREATABLE, REGION_ROLES, Role
from campusguard.org.models import Region, School

_DUMMY_HASH = hash_password("not-a-real-password-for-timing")


def by_username(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def _tokens(settings: Settings, user: User) -> dict[str, Any]:
    return issue_tokens(settings, user_id=user.id, username=user.username, role=user.role,
                        region_code=user.region_code, school_codes=list(user.school_codes or []),
                        person_id=user.person_id, token_version=user.token_version)


def login(session: Session, settings: Settings, limiter: LoginLimiter, *, username: str, password: str,
          otp: str | None, ip: str | None) -> dict[str, Any]:
    """Password (+ TOTP when enabled or required for the role); failures are limited and audited."""
    keys = (f"u:{username.lower()}", f"ip:{ip or '-'}")
    limiter.check(*keys)
    user = by_username(session, username)
    ok = verify_password(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        limiter.fail(*keys)
        audit.record(session, principal=None, action="auth.login_failed", target_type="user",
                     target_id=username, detail={"ip": ip, "reason": "bad_credentials"})
        raise Unauthorized("wrong username or password", code="bad_credentials")
    needs_mfa = user.mfa_enabled or user.role in settings.mfa_required_roles
    if needs_mfa:
        if not user.mfa_enabled or not user.totp_secret:
            raise Forbidden("this role requires a second factor; ask an administrator to enrol TOTP",
                            code="mfa_enrollment_required")
        if not otp:
            raise Unauthorized("enter the 6-digit code from your authenticator", code="mfa_required")
        if not verify_totp(user.totp_secret, otp):
            limiter.fail(*keys)
            audit.record(session, principal=None, action="auth.login_failed", target_type="user",
                         target_id=username, detail={"ip": ip, "reason": "mfa_invalid"})
            raise Unauthorized("wrong authenticator code", code="mfa_invalid")
    limiter.reset(keys[0])
    user.last_login_at = utcnow()
    audit.record(session, principal=_as_principal(user, ip), action="auth.login", target_type="user",
                 target_id=user.id, district_code=user.region_code, detail={"ip": ip, "mfa": needs_mfa})
    return _tokens(settings, user)


def refresh(session: Session, settings: Settings, refresh_token: str) -> dict[str, Any]:
    claims = decode_token(settings, refresh_token, typ="refresh")
    user = session.get(User, int(claims["sub"]))
    if user is None or not user.active or claims.get("ver") != user.token_version:
        raise Unauthorized("refresh token revoked", code="token_invalid")
    return _tokens(settings, user)


def _as_principal(user: User, ip: str | None = None) -> Principal:
    from campusguard.core.auth import principal_from_claims

    p = principal_from_claims({"sub": user.id, "name": user.username, "role": user.role,
                               "rc": user.region_code, "sc": user.school_codes, "pid": user.person_id})
    p.ip = ip
    return p


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def _check_reach(session: Session, principal: Principal, role: Role, region_code: str | None,
                 school_codes: list[str]) -> None:
    """A creator may only create the roles it may create, inside its own scope."""
    if principal.kind == "system":
        return
    allowed = CREATABLE.get(principal.role, frozenset())
    if role not in allowed:
        raise Forbidden(f"{principal.role.value} may not create {role.value} users", code="role_not_allowed")
    if principal.role == Role.city_admin:
        return
    if role in REGION_ROLES:
        if region_code != principal.region_code:
            raise Forbidden("the new user's region is outside your scope", code="out_of_scope")
        return
    schools = session.scalars(select(School).where(School.code.in_(school_codes))).all()
    if len(schools) != len(set(school_codes)):
        raise BadRequest("unknown school code in school_codes", code="unknown_school")
    for school in schools:
        if principal.role in REGION_ROLES:
            if school.district_code != principal.region_code:
                raise Forbidden(f"school {school.code} is outside your scope", code="out_of_scope")
        elif school.code not in principal.school_codes:
            raise Forbidden(f"school {school.code} is outside your scope", code="out_of_scope")


def create_user(session: Session, principal: Principal, data: UserIn) -> User:
    if data.role == Role.device:
        raise BadRequest("devices get API tokens, not users", code="bad_role")
    if data.role in REGION_ROLES:
        if not data.region_code or session.get(Region, data.region_code) is None:
            raise BadRequest("this role needs an existing region_code", code="unknown_region")
        data.school_codes = []
    else:
        if not data.school_codes:
            raise BadRequest("this role needs school_codes", code="missing_scope")
        data.region_code = None
    _check_reach(session, principal, data.role, data.region_code, data.school_codes)
    if by_username(session, data.username) is not None:
        raise Conflict(f"username {data.username} is taken", code="duplicate")
    user = User(username=data.username, display_name=data.display_name, password_hash=hash_password(data.password),
                role=data.role.value, region_code=data.region_code, school_codes=data.school_codes,
                person_id=data.person_id, phone=data.phone,
                created_by=principal.id if principal.kind == "user" else None)
    session.add(user)
    session.flush()
    audit.record(session, principal=principal, action="user.create", target_type="user", target_id=user.id,
                 district_code=data.region_code,
                 detail={"username": user.username, "role": user.role, "school_codes": user.school_codes})
    return user


def user_query(session: Session, principal: Principal, role: str | None = None) -> Select[Any]:
    stmt = select(User).order_by(User.id)
    if role:
        stmt = stmt.where(User.role == role)
    if principal.role == Role.city_admin:
        return stmt
    if principal.role in REGION_ROLES:
        codes = list(session.scalars(select(School.code).where(School.district_code == principal.region_code)))
        visible = [u.id for u in session.scalars(stmt).all()
                   if u.region_code == principal.region_code or (u.school_codes and set(u.school_codes) <= set(codes))]
    else:
        mine = set(principal.school_codes)
        visible = [u.id for u in session.scalars(stmt).all() if u.school_codes and set(u.school_codes) <= mine]
    return stmt.where(User.id.in_(visible))


def visible_user(session: Session, principal: Principal, user_id: int) -> User:
    user = session.scalars(user_query(session, principal).where(User.id == user_id)).first()
    if user is None:
        raise NotFound(f"user {user_id} not found")
    return user


def update_user(session: Session, principal: Principal, user_id: int, data: UserPatch) -> User:
    user = visible_user(session, principal, user_id)
    changes = data.model_dump(exclude_unset=True)
    if user.id != principal.id:
        _check_reach(session, principal, Role(user.role), user.region_code,
                     changes.get("school_codes") or list(user.school_codes or []))
    if "password" in changes:
        user.password_hash = hash_password(changes.pop("password"))
        user.token_version += 1
    if changes.get("active") is False:
        user.token_version += 1
    for key, value in changes.items():
        setattr(user, key, value)
    session.flush()
    audit.record(session, principal=principal, action="user.update", target_type="user", target_id=user.id,
                 detail={k: v for k, v in data.model_dump(exclude_unset=True).items() if k != "password"}
                 | ({"password": "changed"} if data.password else {}))
    return user


def start_totp(session: Session, principal: Principal, issuer: str = "CampusGuard") -> tuple[str, str]:
    user = get_user(session, principal.id)
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.mfa_enabled = False
    session.flush()
    audit.record(session, principal=principal, action="user.totp_start", target_type="user", target_id=user.id)
    return secret, pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def confirm_totp(session: Session, principal: Principal, code: str) -> None:
    user = get_user(session, principal.id)
    if not user.totp_secret or not verify_totp(user.totp_secret, code):
        raise BadRequest("wrong authenticator code", code="mfa_invalid")
    user.mfa_enabled = True
    session.flush()
    audit.record(session, principal=principal, action="user.totp_enabled", target_type="user", target_id=user.id)


def enrol_totp_admin(session: Session, user: User) -> str:
    """Set a fresh TOTP secret and enable it (CLI enrolment by an administrator)."""
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.mfa_enabled = True
    session.flush()
    return secret


def change_password(session: Session, principal: Principal, old: str, new: str) -> None:
    user = get_user(session, principal.id)
    if not verify_password(user.password_hash, old):
        raise BadRequest("the current password is wrong", code="bad_credentials")
    user.password_hash = hash_password(new)
    user.token_version += 1
    session.flush()
    audit.record(session, principal=principal, action="user.password", target_type="user", target_id=user.id)


def create_integrator_token(session: Session, principal: Principal, name: str, region_code: str
                            ) -> tuple[ApiToken, str]:
    if session.get(Region, region_code) is None:
        raise BadRequest("unknown region", code="unknown_region")
    token = new_token("cgi")
    row = ApiToken(token_hash=hash_token(token), kind="integrator", name=name, region_code=region_code,
                   created_by=principal.id)
    session.add(row)
    session.flush()
    audit.record(session, principal=principal, action="integrator.token", target_type="api_token",
                 target_id=row.id, district_code=region_code, detail={"name": name})
    return row, token
