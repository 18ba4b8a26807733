"""HTTP routes of the device registry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from campusguard.core.auth import Principal, require
from campusguard.core.db import SessionDep
from campusguard.core.pagination import Page
from campusguard.device import service
from campusguard.device.schemas import DeviceIn, DeviceOut, DevicePatch, TokenOut
from campusguard.org.models import School

router = APIRouter(tags=["devices"])
Reader = Annotated[Principal, Depends(require("device.read"))]
Writer = Annotated[Principal, Depends(require("device.write"))]


@router.get("/devices", response_model=Page[DeviceOut])
def list_devices(session: SessionDep, principal: Reader,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 50, offset: Annotated[int, Query(ge=0)] = 0,
                 school_id: int | None = None, school_code: str | None = None,
                 type: str | None = None, online: bool | None = None,  # noqa: A002
                 area_id: int | None = None, q: str | None = None) -> Page[DeviceOut]:
    items, total = service.list_devices(session, principal, limit=limit, offset=offset, school_id=school_id,
                                        school_code=school_code, type_=type, online=online, area_id=area_id, q=q)
    return Page(items=items, total=total)


@router.post("/devices", response_model=DeviceOut, status_code=201)
def create_device(data: DeviceIn, session: SessionDep, principal: Writer) -> DeviceOut:
    device = service.create_device(session, principal, data)
    return service.to_out(device, data.school_code)


def _school_code(session: SessionDep, school_id: int) -> str:
    school = session.get(School, school_id)
    return school.code if school else ""


@router.get("/devices/{device_id:int}", response_model=DeviceOut)
def get_device(device_id: int, session: SessionDep, principal: Reader) -> DeviceOut:
    device = service.get_device(session, principal, device_id)
    return service.to_out(device, _school_code(session, device.school_id))


@router.patch("/devices/{device_id:int}", response_model=DeviceOut)
def update_device(device_id: int, data: DevicePatch, session: SessionDep, principal: Writer) -> DeviceOut:
    device = service.update_device(session, principal, device_id, data)
    return service.to_out(device, _school_code(session, device.school_id))


@router.delete("/devices/{device_id:int}", status_code=204)
def delete_device(device_id: int, session: SessionDep, principal: Writer) -> Response:
    service.delete_device(session, principal, device_id)
    return Response(status_code=204)


@router.post("/devices/{code}/token", response_model=TokenOut, status_code=201)
def issue_token(code: str, session: SessionDep,
                principal: Annotated[Principal, Depends(require("device.token"))]) -> TokenOut:
    """A new bearer token for the device, shown once (older ones are revoked)."""
    return TokenOut(token=service.issue_token(session, principal, code), device_code=code)
