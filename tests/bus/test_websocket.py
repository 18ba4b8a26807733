"""The WebSocket pushes each user the events of their scope only."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from campusguard.bus.outbox import publish
from campusguard.core.db import Database
from campusguard.device.events import DeviceOffline
from campusguard.org.models import School


def test_events_are_scoped(client: TestClient, seeded, login, db: Database) -> None:
    token_own = login("police")["Authorization"].split()[1]
    with db.session() as s:
        a = s.scalars(select(School).where(School.district_code == "440303")).first()
        b = s.scalars(select(School).where(School.district_code == "440304")).first()
        assert a and b
        a_id, b_id = a.id, b.id
    with client.websocket_connect(f"/api/v1/ws?token={token_own}") as ws:
        with db.session() as s:
            publish(s, DeviceOffline(school_id=b_id, district_code="440304", device_id=1, device_code="B",
                                     device_type="camera"))
            publish(s, DeviceOffline(school_id=a_id, district_code="440303", device_id=2, device_code="A",
                                     device_type="camera"))
        message = json.loads(ws.receive_text())
        assert message["type"] == "device.offline"
        assert message["device_code"] == "A"  # the other district's event never arrives first (or at all)


def test_websocket_refuses_bad_token(client: TestClient, seeded) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as exc, client.websocket_connect("/api/v1/ws?token=nope") as ws:
        ws.receive_text()
    assert exc.value.code == 4401


def test_ops_endpoints(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": True, "bus": True}
    assert "campusguard_http_requests_total" in client.get("/metrics").text
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/schools" in spec["paths"] and "/api/v1/auth/token" in spec["paths"]
