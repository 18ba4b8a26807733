"""ONVIF discovery and import: a camera that answers ONVIF is registered with its main and sub streams."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from campusguard.adapters.onvif.profiles import DeviceInfo
from campusguard.core.auth import Principal
from campusguard.core.errors import ProblemError
from campusguard.video import service
from campusguard.video.models import Camera
from campusguard.video.schemas import CameraIn


class OnvifImportIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    school_code: str = Field(min_length=1, max_length=32)
    host: str = Field(min_length=1, max_length=253, pattern=r"^[A-Za-z0-9.\-:\[\]]+$")
    port: int = Field(default=80, ge=1, le=65535)
    username: str | None = Field(default=None, max_length=128)
    password: str | None = Field(default=None, max_length=128)
    name: str | None = Field(default=None, max_length=128)
    area_id: int | None = None


class DiscoverIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timeout_s: float = Field(default=3.0, ge=0.5, le=15)


def _strip_credentials(uri: str) -> str:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def import_camera(session: Session, principal: Principal, data: OnvifImportIn, info: DeviceInfo) -> Camera:
    """Register the camera with its main profile for recording and its smallest for live view."""
    main, sub = info.main, info.sub
    if main is None or main.rtsp_uri is None:
        raise ProblemError("the device has no profile with an RTSP stream", status=422, code="no_stream")
    name = data.name or " ".join(x for x in (info.manufacturer, info.model) if x) or data.host
    cam = service.create_camera(session, principal, CameraIn(
        school_code=data.school_code, name=name[:128], rtsp_url=_strip_credentials(main.rtsp_uri),
        sub_url=_strip_credentials(sub.rtsp_uri) if sub and sub.rtsp_uri else None, area_id=data.area_id,
        username=data.username, password=data.password, vendor=(info.manufacturer or "")[:64] or None,
        model=(info.model or "")[:64] or None))
    cam.codec = (main.encoding or "").lower() or None
    cam.width, cam.height, cam.fps, cam.bitrate_kbps = main.width, main.height, main.fps, main.bitrate_kbps
    cam.onvif = {"host": data.host, "port": data.port, "serial": info.serial, "firmware": info.firmware,
                 "profiles": [p.__dict__ for p in info.profiles]}
    session.flush()
    return cam
