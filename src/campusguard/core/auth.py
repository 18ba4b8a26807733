"""Who is calling: passwords, short-lived JWTs, TOTP, device/integrator tokens, route guards."""

from __future__ import annotations

import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.config import Settings
from campusguard.core.crypto import derive_key, hash_token
from campusguard.core.db import SessionDep, utcnow
from campusguard.core.errors import Forbidden, TooManyRequests, Unauthorized
from campusguard.core.models import ApiToken
from campusguard.core.permissions import Role, permissions_for

_hasher = PasswordHasher()
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_totp(secret: str, code: str) -> bool:
    """Accept the current 30 s window and one either side (phone clock drift)."""
    return pyotp.TOTP(secret).verify(code.strip(), valid_window=1)


@dataclass
class Principal:
    """The authenticated caller of one request, with its role, scope and permissions."""

    kind: str  # user | device | integrator
    id: int
    name: str
    role: Role
    region_code: str | None = None
    school_codes: tuple[str, ...] = ()
    school_id: int | None = None  # devices: the school the device belongs to
    device_id: int | None = None
    person_id: int | None = None
    permissions: frozenset[str] = frozenset()
    request_id: str | None = None
    ip: str | None = None
    cache: dict[str, Any] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.name}"


SYSTEM = Principal(kind="system", id=0, name="system", role=Role.city_admin,
                   permissions=permissions_for(Role.city_admin))
"""The principal of jobs and handlers acting on the platform's own behalf."""


def _jwt_key(settings: Settings) -> bytes:
    return derive_key(settings.secret(), "jwt")


def issue_tokens(settings: Settings, *, user_id: int, username: str, role: str, region_code: str | None,
                 school_codes: list[str], person_id: int | None, token_version: int) -> dict[str, Any]:
    """Issue a short-lived access token and a longer refresh token bound to the user's token version."""
    now = int(time.time())
    claims = {"sub": str(user_id), "name": username, "role": role, "rc": region_code,
              "sc": school_codes, "pid": person_id, "iat": now, "typ": "access",
              "exp": now + settings.access_token_ttl_s, "jti": uuid.uuid4().hex}
    refresh = {"sub": str(user_id), "typ": "refresh", "ver": token_version, "iat": now,
               "exp": now + settings.refresh_token_ttl_s, "jti": uuid.uuid4().hex}
    key = _jwt_key(settings)
    return {"access_token": jwt.encode(claims, key, ALGORITHM), "token_type": "bearer",
            "expires_in": settings.access_token_ttl_s,
            "refresh_token": jwt.encode(refresh, key, ALGORITHM)}


def decode_token(settings: Settings, token: str, typ: str = "access") -> dict[str, Any]:
    """Decode and check a JWT; any defect is a 401 with a reason."""
    try:
        claims: dict[str, Any] = jwt.decode(token, _jwt_key(settings), algorithms=[ALGORITHM],
                                            options={"require": ["exp", "sub", "typ"]})
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise Unauthorized("invalid token", code="token_invalid") from exc
    if claims.get("typ") != typ:
        raise Unauthorized("wrong token type", code="token_invalid")
    return claims


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    role = Role(claims["role"])
    return Principal(kind="user", id=int(claims["sub"]), name=claims["name"], role=role,
                     region_code=claims.get("rc"), school_codes=tuple(claims.get("sc") or ()),
                     person_id=claims.get("pid"), permissions=permissions_for(role))


def principal_from_api_token(session: Session, token: str) -> Principal:
    """Resolve a device or integrator token (stored hashed)."""
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == hash_token(token))).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("unknown or revoked API token", code="token_invalid")
    now = utcnow()
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        row.last_used_at = now
    if row.kind == "device":
        return Principal(kind="device", id=row.id, name=row.name, role=Role.device,
                         school_id=row.school_id, device_id=row.device_id,
                         permissions=permissions_for(Role.device))
    return Principal(kind="integrator", id=row.id, name=row.name, role=Role.integrator,
                     region_code=row.region_code, permissions=permissions_for(Role.integrator))


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value:
        return value.strip()
    return None


def current_principal(request: Request, session: SessionDep) -> Principal:
    """Authenticate the request (JWT, or a cgd_/cgi_ API token)."""
    token = bearer(request)
    if not token:
        raise Unauthorized("authentication required", code="unauthenticated",
                           headers={"WWW-Authenticate": "Bearer"})
    if token.startswith(("cgd_", "cgi_")):
        principal = principal_from_api_token(session, token)
    else:
        principal = principal_from_claims(decode_token(request.app.state.settings, token))
    principal.request_id = getattr(request.state, "request_id", None)
    principal.ip = request.client.host if request.client else None
    request.state.principal = principal
    return principal


def require(*permissions: str) -> Callable[..., Principal]:
    """Route guard: the caller must hold every named permission."""

    def _guard(principal: Principal = Depends(current_principal)) -> Principal:
        missing = [p for p in permissions if not principal.can(p)]
        if missing:
            raise Forbidden(f"role {principal.role.value} lacks {', '.join(missing)}", code="forbidden")
        return principal

    _guard.__name__ = "require_" + "_".join(p.replace(".", "_") for p in permissions)
    return _guard


def device_principal(principal: Principal = Depends(current_principal)) -> Principal:
    """Route guard for device endpoints: only a device token is accepted."""
    if principal.kind != "device":
        raise Forbidden("a device token is required", code="device_token_required")
    return principal


class LoginLimiter:
    """Sliding-window limit on failed logins per username and per client address."""

    def __init__(self, max_failures: int, window_s: int) -> None:
        self.max_failures = max_failures
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def check(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                q = self._recent(key, now)
                if len(q) >= self.max_failures:
                    retry = int(self.window_s - (now - q[0])) + 1
                    raise TooManyRequests("too many failed logins; try again later",
                                          code="rate_limited", headers={"Retry-After": str(retry)})

    def fail(self, *keys: str) -> None:
        now = time.monotonic()
        with self._lock:
            for key in keys:
                self._recent(key, now).append(now)

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
