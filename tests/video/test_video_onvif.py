"""ONVIF: WS-Discovery and profile import against a local ONVIF-speaking device (sim/cameras/onvif_sim.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from campusguard.accounts.models import User
from campusguard.adapters.onvif.discovery import discover, parse_probe_matches
from campusguard.adapters.onvif.profiles import OnvifError, read_device
from campusguard.core.db import Database

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "sim" / "cameras"))
from onvif_sim import OnvifDevice, serve  # noqa: E402

from campusguard.video.simcam import free_port  # noqa: E402


@pytest.fixture
def device():  # type: ignore[no-untyped-def]
    dev = OnvifDevice("127.0.0.1", 0, "rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam2", name="Gate-1")
    port = free_port()
    httpd, udp = serve(dev, port)
    dev.discovery_port = port  # type: ignore[attr-defined]
    yield dev
    httpd.shutdown()
    if udp is not None:
        udp.close()


async def test_discovery_and_profiles(device) -> None:  # type: ignore[no-untyped-def]
    found = await discover(0.5, ("127.0.0.1", device.discovery_port))
    assert [(d.xaddrs, d.name, d.hardware) for d in found] == [([device.xaddr], "Gate-1", "SimCam")]
    info = await read_device("127.0.0.1", device.http_port, "admin", "pw")
    assert (info.manufacturer, info.model, info.serial) == ("CampusGuard Sim", "Gate-1", "SIM0001")
    assert info.main.rtsp_uri == "rtsp://127.0.0.1:8554/cam1" and (info.main.width, info.main.height) == (1920, 1080)
    assert info.sub.rtsp_uri == "rtsp://127.0.0.1:8554/cam2" and info.sub.height == 360
    assert device.calls[:1] == ["GetCapabilities"] and device.calls.count("GetStreamUri") == 2
    with pytest.raises(OnvifError):
        await read_device("127.0.0.1", free_port(), None, None, timeout_s=3)
    assert parse_probe_matches(b"<not-xml") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the DB adds nothing here
def test_import_through_api(client: TestClient, seeded, login, db: Database, device) -> None:  # type: ignore[no-untyped-def]
    h = login("principal")
    with db.session() as s:
        code = s.scalars(select(User).where(User.username == "principal")).one().school_codes[0]
    r = client.post("/api/v1/video/onvif/import", headers=h, json={
        "school_code": code, "host": "127.0.0.1", "port": device.http_port, "username": "admin", "password": "pw"})
    assert r.status_code == 201, r.text
    cam = r.json()
    assert (cam["rtsp_url"], cam["sub_url"]) == ("rtsp://127.0.0.1:8554/cam1", "rtsp://127.0.0.1:8554/cam2")
    assert (cam["codec"], cam["width"], cam["height"], cam["name"]) == ("h264", 1920, 1080, "CampusGuard Sim Gate-1")
    assert cam["has_credentials"]
    dead = client.post("/api/v1/video/onvif/import", headers=h, json={
        "school_code": code, "host": "127.0.0.1", "port": free_port()})
    assert dead.status_code == 502 and dead.json()["code"] == "onvif_failed"
    bad = client.post("/api/v1/video/onvif/import", headers=h, json={"school_code": code, "host": "a b;c"})
    assert bad.status_code == 422
    assert client.post("/api/v1/video/onvif/import", headers=login("operator"), json={
        "school_code": code, "host": "127.0.0.1"}).status_code == 403
