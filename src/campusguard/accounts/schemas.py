"""Shapes of the authentication and user administration API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from campusguard.core.permissions import Role


class TokenPair(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 (the OAuth2 token type, not a secret)
    expires_in: int
    refresh_token: str


class RefreshIn(BaseModel):
    refresh_token: str


class Me(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    region_code: str | None
    school_codes: list[str]
    person_id: int | None
    permissions: list[str]
    mfa_enabled: bool
    mfa_required: bool


class UserIn(BaseModel):
    username: str = Field(min_length=3, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=10, max_length=128)
    role: Role
    region_code: str | None = None
    school_codes: list[str] = Field(default_factory=list)
    person_id: int | None = None
    phone: str | None = None


class UserPatch(BaseModel):
    display_name: str | None = Field(default=None, min_length=1, max_length=64)
    password: str | None = Field(default=None, min_length=10, max_length=128)
    active: bool | None = None
    school_codes: list[str] | None = None
    phone: str | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    display_name: str
    role: str
    region_code: str | None
    school_codes: list[str]
    person_id: int | None
    mfa_enabled: bool
    active: bool
    last_login_at: datetime | None


class TotpSetup(BaseModel):
    secret: str
    otpauth_uri: str
    qr_svg: str = Field(description="the otpauth URI as a QR code, an SVG data URI for authenticator apps to scan")


class TotpConfirm(BaseModel):
    code: str = Field(min_length=6, max_length=8)


class PasswordChange(BaseModel):
    old_password: str
    new_password: str = Field(min_length=10, max_length=128)


class IntegratorTokenIn(BaseModel):
    name: str = Field(min_length=1, max_length=128)
    region_code: str


class IntegratorTokenOut(BaseModel):
    id: int
    token: str
    name: str
    region_code: str
