"""Incident lifecycle over HTTP: transitions, 409s, scope, notes, photos, checklist, plans, drills."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from campusguard.alarm import plans, service
from campusguard.alarm.models import Incident, IncidentStep
from campusguard.core.db import Database
from campusguard.core.models import AuditLog, OutboxEvent

Login = Callable[..., dict[str, str]]


def _press(db: Database, device_id: int, seq: int, kind: str = "panic") -> int:
    with db.session() as s:
        plans.seed_default_plans(s)
        res = service.ingest_device_event(
            s,
            device_id=device_id,
            event_type=kind,
            seq=seq,
            occurred_at=datetime.now(UTC),
            source="http",
            detail={},
        )
    assert res.incident_id is not None
    return res.incident_id


def _png(size: tuple[int, int] = (32, 24)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buf, format="PNG")
    return buf.getvalue()


def test_full_lifecycle_is_timestamped_audited_and_published(
    client: TestClient, db: Database, city: dict[str, Any], login: Login
) -> None:
    incident_id = _press(db, city["button"], 1)
    op = login("operator")
    listed = client.get("/api/v1/incidents", headers=op, params={"status": "raised"})
    assert listed.status_code == 200
    assert [i["id"] for i in listed.json()["items"]] == [incident_id]

    for action, status in (("ack", "acknowledged"), ("dispatch", "dispatched"), ("arrive", "on_scene")):
        r = client.post(f"/api/v1/incidents/{incident_id}/{action}", headers=op, json={"note": action})
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
    r = client.post(f"/api/v1/incidents/{incident_id}/resolve", headers=op, json={"outcome": "real"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "resolved" and body["outcome"] == "real"
    for key in ("acknowledged_at", "dispatched_at", "on_scene_at", "resolved_at"):
        assert body[key] is not None
    steps = [(s["action"], s["actor"]) for s in body["timeline"]]
    assert [a for a, _ in steps] == ["raised", "acknowledged", "dispatched", "on_scene", "resolved"]
    assert all(actor == "user:operator" for a, actor in steps if a != "raised")
    assert body["escalation"]["status"] == "stopped"

    with db.session() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.target_id == str(incident_id))).all())
        assert {"alarm.ack", "alarm.dispatch", "alarm.arrive", "alarm.resolve"} <= actions
        types = set(s.scalars(select(OutboxEvent.type)).all())
        assert {
            "alarm.raised",
            "alarm.acknowledged",
            "alarm.dispatched",
            "alarm.on_scene",
            "alarm.resolved",
        } <= types


def test_out_of_order_transitions_are_409_problems(
    client: TestClient, db: Database, city: dict[str, Any], login: Login
) -> None:
    incident_id = _press(db, city["button"], 2)
    op = login("operator")
    for action in ("dispatch", "arrive", "resolve"):
        r = client.post(f"/api/v1/incidents/{incident_id}/{action}", headers=op)
        assert r.status_code == 409, (action, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "bad_transition" and r.json()["incident_status"] == "raised"
    assert client.post(f"/api/v1/incidents/{incident_id}/ack", headers=op).status_code == 200
    second = client.post(f"/api/v1/incidents/{incident_id}/ack", headers=op)
    assert second.status_code == 409 and second.json()["code"] == "bad_transition"
    bad = client.post(f"/api/v1/incidents/{incident_id}/resolve", headers=op, json={"outcome": "maybe"})
    assert bad.status_code == 422
    with db.session() as s:
        acks = s.scalars(
            select(IncidentStep).where(
                IncidentStep.incident_id == incident_id, IncidentStep.action == "acknowledged"
            )
        ).all()
        assert len(acks) == 1


def test_another_district_can_neither_see_nor_act(
    client: TestClient, db: Database, city: dict[str, Any], login: Login
) -> None:
    incident_id = _press(db, city["button"], 3)
    other_police = login(f"police{city['other_district'][-2:]}")
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=other_police).status_code == 404
    assert client.post(f"/api/v1/incidents/{incident_id}/ack", headers=other_police).status_code == 404
    assert (
        client.post(
            f"/api/v1/incidents/{incident_id}/notes", headers=other_police, json={"text": "x"}
        ).status_code
        == 404
    )
    listed = client.get("/api/v1/incidents", headers=other_police).json()
    assert incident_id not in [i["id"] for i in listed["items"]]
    own_police = login("police")
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=own_police).status_code == 200
    guard = login("guard")  # may read its school's alarms, may not handle them
    assert client.get(f"/api/v1/incidents/{incident_id}", headers=guard).status_code == 200
    assert client.post(f"/api/v1/incidents/{incident_id}/ack", headers=guard).status_code == 403
    with db.session() as s:
        assert s.get(Incident, incident_id).status == "raised"  # type: ignore[union-attr]


def test_filters(client: TestClient, db: Database, city: dict[str, Any], login: Login) -> None:
    first = _press(db, city["button"], 4, "fire")
    _press(db, city["button"], 5, "medical")
    admin = login("admin")
    r = client.get("/api/v1/incidents", headers=admin, params={"type": "fire", "school_id": city["kg"]})
    assert [i["id"] for i in r.json()["items"]] == [first]
    assert client.get("/api/v1/incidents", headers=admin, params={"is_drill": True}).json()["total"] == 0
    future = client.get("/api/v1/incidents", headers=admin, params={"since": "2100-01-01T00:00:00+00:00"})
    assert future.json()["total"] == 0
    naive = client.get("/api/v1/incidents", headers=admin, params={"since": "2100-01-01T00:00:00"})
    assert naive.status_code == 400


def test_notes_and_photos(client: TestClient, db: Database, city: dict[str, Any], login: Login) -> None:
    incident_id = _press(db, city["button"], 6)
    op = login("operator")
    r = client.post(f"/api/v1/incidents/{incident_id}/notes", headers=op, json={"text": "保安已到正门"})
    assert r.status_code == 201 and r.json()["text"] == "保安已到正门"
    assert (
        client.post(f"/api/v1/incidents/{incident_id}/notes", headers=op, json={"text": ""}).status_code
        == 422
    )

    png = _png()
    r = client.post(
        f"/api/v1/incidents/{incident_id}/photos",
        headers=op,
        files={"file": ("scene.png", png, "image/png")},
        data={"text": "现场"},
    )
    assert r.status_code == 201, r.text
    note = r.json()
    assert note["photo_mime"] == "image/png" and note["photo_size"] == len(png)
    photo = client.get(note["photo_url"], headers=op)
    assert photo.status_code == 200 and photo.content == png

    fake = client.post(
        f"/api/v1/incidents/{incident_id}/photos",
        headers=op,
        files={"file": ("x.jpg", b"not an image at all", "image/jpeg")},
    )
    assert fake.status_code == 422 and fake.json()["code"] == "photo_invalid"
    client.app.state.settings.max_upload_bytes = 200  # type: ignore[attr-defined]
    big = client.post(
        f"/api/v1/incidents/{incident_id}/photos",
        headers=op,
        files={"file": ("big.png", _png((400, 400)), "image/png")},
    )
    assert big.status_code == 413
    detail = client.get(f"/api/v1/incidents/{incident_id}", headers=op).json()
    assert len(detail["notes"]) == 2
    assert {s["action"] for s in detail["timeline"]} >= {"note", "photo"}


def test_checklist_and_plan_versions(
    client: TestClient, db: Database, city: dict[str, Any], login: Login
) -> None:
    incident_id = _press(db, city["button"], 7)
    op = login("operator")
    detail = client.get(f"/api/v1/incidents/{incident_id}", headers=op).json()
    assert detail["checklist"] and detail["plan_version"] == 1
    first_title = detail["checklist"][0]["title"]
    r = client.post(f"/api/v1/incidents/{incident_id}/checklist/0", headers=op, json={"note": "已看视频"})
    assert r.status_code == 200 and r.json()[0]["done"] is True and r.json()[0]["actor"] == "user:operator"
    assert client.post(f"/api/v1/incidents/{incident_id}/checklist/99", headers=op).status_code == 400

    police = login("police")
    plan_id = detail["plan_id"]
    edit = client.put(
        f"/api/v1/alarm/plans/{plan_id}",
        headers=police,
        json={"title": "新版预案", "steps": [{"title": "新第一步"}]},
    )
    assert edit.status_code == 200 and edit.json()["version"] == 2
    assert (
        client.put(
            f"/api/v1/alarm/plans/{plan_id}", headers=police, json={"title": "x", "steps": [{"title": "y"}]}
        ).status_code
        == 409
    )
    assert (
        client.put(
            f"/api/v1/alarm/plans/{plan_id}", headers=op, json={"title": "x", "steps": [{"title": "y"}]}
        ).status_code
        == 403
    )
    kept = client.get(f"/api/v1/incidents/{incident_id}", headers=op).json()
    assert kept["plan_version"] == 1 and kept["checklist"][0]["title"] == first_title
    newer = _press(db, city["button"], 8)
    fresh = client.get(f"/api/v1/incidents/{newer}", headers=op).json()
    assert fresh["plan_version"] == 2 and fresh["checklist"][0]["title"] == "新第一步"
    versions = client.get(f"/api/v1/alarm/plans/{plan_id}/versions", headers=op).json()
    assert [v["version"] for v in versions] == [1, 2]


def test_drill_window_marks_presses_as_drills(
    client: TestClient, db: Database, city: dict[str, Any], login: Login
) -> None:
    principal = login("principal")
    url = f"/api/v1/schools/{city['kg']}/drill-window"
    assert client.post(url, headers=login("operator"), json={"action": "start"}).status_code == 403
    r = client.post(url, headers=principal, json={"action": "start", "minutes": 30, "title": "消防演练"})
    assert r.status_code == 200, r.text
    assert client.post(url, headers=principal, json={"action": "start"}).status_code == 409
    drill = _press(db, city["button"], 9)
    r = client.post(url, headers=principal, json={"action": "stop"})
    assert r.status_code == 200 and r.json()["stopped_at"] is not None
    assert client.get(url, headers=principal).json() is None
    real = _press(db, city["button"], 10)
    with db.session() as s:
        assert s.get(Incident, drill).is_drill is True  # type: ignore[union-attr]
        assert s.get(Incident, real).is_drill is False  # type: ignore[union-attr]
        counts = service.real_incident_counts(
            s, None, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        assert counts == {"panic": 1}
    op = login("operator")
    drills = client.get("/api/v1/incidents", headers=op, params={"is_drill": True}).json()
    assert [i["id"] for i in drills["items"]] == [drill]
    resolved = client.post(f"/api/v1/incidents/{drill}/ack", headers=op)
    assert resolved.status_code == 200
    r = client.post(f"/api/v1/incidents/{drill}/resolve", headers=op)
    assert r.json()["outcome"] == "drill"


def test_manual_raise_and_admin_endpoints(client: TestClient, city: dict[str, Any], login: Login) -> None:
    op = login("operator")
    r = client.post("/api/v1/incidents", headers=op, json={"school_id": city["kg"], "type": "medical"})
    assert r.status_code == 201 and r.json()["source"] == "manual"
    assert (
        client.post(
            "/api/v1/incidents", headers=op, json={"school_id": city["other"], "type": "medical"}
        ).status_code
        == 403
    )
    admin = login("admin")
    no_secret = client.post(
        "/api/v1/handoff/endpoints",
        headers=admin,
        json={"name": "cc", "format": "json", "url": "http://127.0.0.1:9/x"},
    )
    assert no_secret.status_code == 400
    ok = client.post(
        "/api/v1/handoff/endpoints",
        headers=admin,
        json={"name": "cc", "format": "cap", "url": "http://127.0.0.1:9/cap"},
    )
    assert ok.status_code == 201 and ok.json()["has_secret"] is False
    assert client.get("/api/v1/handoff/endpoints", headers=op).status_code == 403
    assert client.get("/api/v1/handoff/deliveries", headers=admin, params={"status": "dead"}).json() == []
    chain = client.put(
        "/api/v1/alarm/escalation-chains",
        headers=login("police"),
        json={"name": "x", "district_code": city["district"], "steps": [{"kind": "wait", "seconds": 5}]},
    )
    assert chain.status_code == 422 and chain.json()["code"] == "bad_chain"
    other = client.put(
        "/api/v1/alarm/escalation-chains",
        headers=login("police"),
        json={
            "name": "x",
            "district_code": city["other_district"],
            "steps": [{"kind": "notify", "target": "district_police"}],
        },
    )
    assert other.status_code == 403


def test_incident_video_maps_cameras_through_the_video_module(
    client: TestClient, db: Database, city: dict[str, Any], login: Login
) -> None:
    """The page learns which named cameras stream (live URL, clips); who may not watch gets no camera ids."""
    before = _press(db, city["button"], 7001)
    listed = client.get(f"/api/v1/incidents/{before}/video", headers=login("operator")).json()
    assert listed["can_watch"] and listed["can_clip"] and listed["cameras"]
    assert all(c["camera_id"] is None for c in listed["cameras"])  # none registered with the video module yet

    cam = client.post("/api/v1/cameras", headers=login("admin"), json={
        "school_code": city["kg_code"], "name": "incident page camera", "rtsp_url": "rtsp://127.0.0.1:9/cam1",
        "area_id": city["button_area"]})
    assert cam.status_code == 201, cam.text
    incident_id = _press(db, city["button"], 7002)
    video = client.get(f"/api/v1/incidents/{incident_id}/video", headers=login("operator")).json()
    mapped = {c["device_id"]: c for c in video["cameras"]}
    assert mapped[cam.json()["device_id"]]["camera_id"] == cam.json()["id"]
    assert mapped[cam.json()["device_id"]]["same_area"] is True

    guard = client.get(f"/api/v1/incidents/{incident_id}/video", headers=login("guard")).json()
    assert guard["can_watch"] is False and all(c["camera_id"] is None for c in guard["cameras"])
    other_police = login(f"police{city['other_district'][-2:]}")
    assert client.get(f"/api/v1/incidents/{incident_id}/video", headers=other_police).status_code == 404
