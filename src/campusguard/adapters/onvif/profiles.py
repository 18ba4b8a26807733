"""Reads a camera's identity and media profiles (with RTSP URIs) through onvif-zeep-async."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import structlog

log = structlog.get_logger(__name__)


class OnvifError(Exception):
    """The device did not answer like an ONVIF camera (unreachable, auth, fault)."""


@dataclass
class Profile:
    token: str
    name: str
    encoding: str | None
    width: int | None
    height: int | None
    fps: float | None
    bitrate_kbps: int | None
    rtsp_uri: str | None


@dataclass
class DeviceInfo:
    manufacturer: str | None
    model: str | None
    serial: str | None
    firmware: str | None
    profiles: list[Profile] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def main(self) -> Profile | None:
        """The highest-resolution profile with a stream URI (recording)."""
        usable = [p for p in self.profiles if p.rtsp_uri]
        return max(usable, key=lambda p: (p.width or 0) * (p.height or 0), default=None)

    @property
    def sub(self) -> Profile | None:
        """The lowest-resolution other profile (live view on phones)."""
        main = self.main
        usable = [p for p in self.profiles if p.rtsp_uri and p is not main]
        return min(usable, key=lambda p: (p.width or 0) * (p.height or 0), default=None)


def _get(obj: Any, *path: str) -> Any:
    for key in path:
        if obj is None:
            return None
        obj = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
    return obj


async def read_device(host: str, port: int, username: str | None, password: str | None,
                      timeout_s: float = 10.0) -> DeviceInfo:
    """GetDeviceInformation, GetProfiles and GetStreamUri (RTSP over TCP) of every profile."""
    import asyncio

    import onvif
    from onvif import ONVIFCamera

    # the package's default WSDL path points outside the package; use the copy it ships
    wsdl = str(Path(onvif.__file__).resolve().parent / "wsdl")
    cam = ONVIFCamera(host, port, username or "", password or "", wsdl_dir=wsdl)
    try:
        async with asyncio.timeout(timeout_s):
            await cam.update_xaddrs()
            device = await cam.create_devicemgmt_service()
            info = await device.GetDeviceInformation()
            media = await cam.create_media_service()
            profiles = await media.GetProfiles()
            out = DeviceInfo(manufacturer=_get(info, "Manufacturer"), model=_get(info, "Model"),
                             serial=_get(info, "SerialNumber"), firmware=_get(info, "FirmwareVersion"))
            for p in profiles or []:
                token = _get(p, "token")
                venc = _get(p, "VideoEncoderConfiguration")
                uri = await media.GetStreamUri({
                    "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
                    "ProfileToken": token})
                rate = _get(venc, "RateControl")
                out.profiles.append(Profile(
                    token=str(token), name=str(_get(p, "Name") or token), encoding=_get(venc, "Encoding"),
                    width=_get(venc, "Resolution", "Width"), height=_get(venc, "Resolution", "Height"),
                    fps=_get(rate, "FrameRateLimit"), bitrate_kbps=_get(rate, "BitrateLimit"),
                    rtsp_uri=_get(uri, "Uri")))
            return out
    except TimeoutError as exc:
        raise OnvifError(f"no ONVIF answer from {host}:{port} within {timeout_s:g}s") from exc
    except OnvifError:
        raise
    except Exception as exc:  # zeep faults, aiohttp errors, onvif-zeep-async's own exceptions
        raise OnvifError(f"{type(exc).__name__}: {str(exc)[:200]}") from exc
    finally:
        try:
            await cam.close()
        except Exception:
            log.debug("onvif close failed", host=host)
