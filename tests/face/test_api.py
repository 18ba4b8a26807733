"""The face API end to end on real photos: enrol, capture at a gate, incident, privacy, scope."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from campusguard.core.db import utcnow
from campusguard.face.models import Capture, Rejection
from campusguard.face.recognition import hit_incident_type


def _key_list(client, police) -> int:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/watchlists", json={"name": "在逃人员", "kind": "key_person"}, headers=police)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _enrol(client, auth, wid, photo, rel, **form):  # type: ignore[no-untyped-def]
    data = {"name": "Barack", "category": "wanted", "legal_basis": "公安机关协查通报 2026-001", **form}
    return client.post(f"/api/v1/watchlists/{wid}/persons", data=data,
                       files=[("photo", (rel, photo(rel), "image/jpeg"))], headers=auth)


def _capture(client, kg, photo, rel, **form):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/gates/{kg['device']}/captures", data=form,
                       files={"image": (rel, photo(rel), "image/jpeg")}, headers=kg["device_auth"])


def test_enrolled_key_person_at_gate_raises_incident(client, login, kg, photo, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    r = _enrol(client, police, wid, photo, "obama/1.jpg")
    assert r.status_code == 201, r.text
    assert r.json()["faces_stored"] == 1

    r = _capture(client, kg, photo, "obama/2.jpg")
    assert r.status_code == 200, r.text
    face = r.json()["faces"][0]
    assert face["status"] == "matched" and face["watchlist_kind"] == "key_person"
    assert face["distance"] < 0.42 and face["incident_id"] and face["alert_ids"]

    incidents = client.get("/api/v1/incidents", params={"type": hit_incident_type()}, headers=police).json()
    assert [i["id"] for i in incidents["items"]] == [face["incident_id"]]
    detail = incidents["items"][0].get("detail") or {}
    if detail:
        assert detail["category"] == "wanted" and detail["plan"]

    # the school sees the incident (to act on the plan) but not who the key person is
    school_view = client.get("/api/v1/incidents", params={"type": hit_incident_type()}, headers=login("principal"))
    assert school_view.json()["total"] == 1 and "Barack" not in school_view.text

    # the same passage a moment later is merged, not a second event or incident
    again = _capture(client, kg, photo, "obama/2.jpg").json()["faces"][0]
    assert again["event"] == "merged" and again["capture_id"] == face["capture_id"] and not again["alert_ids"]

    alerts = client.get("/api/v1/face/alerts", params={"kind": "watchlist_hit"}, headers=police).json()
    assert alerts["total"] == 1
    enrolled = client.get(f"/api/v1/face/captures/{face['capture_id']}/face.jpg", headers=police)
    assert enrolled.status_code == 200 and enrolled.content.startswith(b"\xff\xd8")


def test_stranger_does_not_match(client, login, kg, photo, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    assert _enrol(client, police, wid, photo, "obama/1.jpg").status_code == 201
    r = _capture(client, kg, photo, "lin_manuel_miranda/1.jpg")
    assert r.status_code == 200, r.text
    face = r.json()["faces"][0]
    assert face["status"] == "unknown" and face["person_id"] is None and face["incident_id"] is None
    hits = client.get("/api/v1/face/alerts", params={"kind": "watchlist_hit"}, headers=police).json()
    assert hits["total"] == 0


def test_group_photo_gives_two_faces(client, kg, photo, face_pool) -> None:
    r = _capture(client, kg, photo, "_groups/kit_with_rose.jpg")
    assert r.status_code == 200, r.text
    faces = r.json()["faces"]
    assert len(faces) == 2 and len({f["capture_id"] for f in faces}) == 2


def test_not_an_image_is_4xx(client, kg) -> None:
    for payload in (b"%PDF-1.4 hello", b"\xff\xd8\xff\xe0broken", b""):
        r = client.post(f"/api/v1/gates/{kg['device']}/captures",
                        files={"image": ("x.jpg", payload, "image/jpeg")}, headers=kg["device_auth"])
        assert 400 <= r.status_code < 500, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
    r = client.post(f"/api/v1/gates/{kg['device']}/captures", headers=kg["device_auth"])
    assert r.status_code == 422


def test_capture_needs_the_device_token(client, login, kg, photo) -> None:
    r = client.post(f"/api/v1/gates/{kg['device']}/captures",
                    files={"image": ("a.jpg", photo("obama/2.jpg"), "image/jpeg")}, headers=login("police"))
    assert r.status_code == 403


def test_quality_gate_and_consent_reasons(client, login, kg, photo, face_pool) -> None:
    principal = login("principal")
    body = {"name": "在校学生", "kind": "roster", "school_id": kg["school_id"]}
    r = client.post("/api/v1/watchlists", json=body, headers=principal)
    assert r.status_code == 201, r.text
    wid = r.json()["id"]
    r = _enrol(client, principal, wid, photo, "_groups/kit_with_rose.jpg", category="student")
    assert r.status_code == 422 and r.json()["code"] == "multiple_faces"
    r = _enrol(client, principal, wid, photo, "biden/1.jpg", category="student", minor="true")
    assert r.status_code == 422 and r.json()["code"] == "guardian_consent_required"
    r = _enrol(client, principal, wid, photo, "biden/1.jpg", category="student", minor="true",
               guardian_consent="true")
    assert r.status_code == 201, r.text


def test_school_admin_and_parent_cannot_search_or_see_key_lists(client, login, photo, seeded) -> None:
    for user in ("principal", "edu", "parent"):
        auth = login(user)
        r = client.post("/api/v1/face/search", files={"photo": ("a.jpg", photo("obama/2.jpg"), "image/jpeg")},
                        headers=auth)
        assert r.status_code == 403, (user, r.text)
        r = client.post("/api/v1/watchlists", json={"name": "x", "kind": "key_person"}, headers=auth)
        assert r.status_code == 403, (user, r.text)
    police = login("police")
    wid = _key_list(client, police)
    r = client.get(f"/api/v1/watchlists/{wid}", headers=login("principal"))
    assert r.status_code == 404
    assert all(w["kind"] != "key_person" for w in
               client.get("/api/v1/watchlists", headers=login("principal")).json()["items"])


def test_police_search_is_audited(client, login, photo, seeded, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    _enrol(client, police, wid, photo, "obama/1.jpg")
    r = client.post("/api/v1/face/search", files={"photo": ("a.jpg", photo("obama/2.jpg"), "image/jpeg")},
                    headers=police)
    assert r.status_code == 200, r.text
    best = r.json()["candidates"][0]
    assert best["match"] and best["person_name"] == "Barack"
    audit = client.get("/api/v1/audit", params={"action": "face.search"}, headers=login("admin"))
    if audit.status_code == 200:
        assert audit.json()["total"] >= 1


def test_reject_suppresses_the_pair(client, login, kg, photo, db, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    _enrol(client, police, wid, photo, "obama/1.jpg")
    face = _capture(client, kg, photo, "obama/2.jpg").json()["faces"][0]
    url = f"/api/v1/face/alerts/{face['alert_ids'][0]}/reject"
    r = client.post(url, json={"note": "not him"}, headers=police)
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    with db.session() as s:
        assert s.scalars(select(Rejection)).first() is not None
        # end the passage so the next frame is a new one
        cap = s.get(Capture, face["capture_id"])
        cap.last_seen_at = cap.captured_at = utcnow() - timedelta(minutes=5)
    again = _capture(client, kg, photo, "obama/2.jpg").json()["faces"][0]
    assert again["event"] == "new" and again["suppressed"] and not again["incident_id"]


def test_purge_deletes_old_unknown_captures(client, login, kg, photo, db, face_pool) -> None:
    from campusguard.face import privacy

    stranger = _capture(client, kg, photo, "lin_manuel_miranda/1.jpg").json()["faces"][0]
    fresh = _capture(client, kg, photo, "kit_harington/2.jpg").json()["faces"][0]
    with db.session() as s:
        old = s.get(Capture, stranger["capture_id"])
        old.captured_at = old.last_seen_at = utcnow() - timedelta(days=8)
    with db.session() as s:
        assert privacy.purge(s)["captures"] == 1
    with db.session() as s:
        assert s.get(Capture, stranger["capture_id"]) is None
        assert s.get(Capture, fresh["capture_id"]) is not None


def test_pass_records_scoped(client, login, kg, photo, face_pool) -> None:
    _capture(client, kg, photo, "kit_harington/2.jpg", direction="out")
    rows = client.get("/api/v1/face/captures", headers=login("operator")).json()
    assert rows["total"] == 1 and rows["items"][0]["direction"] == "out"
    assert client.get("/api/v1/face/captures", headers=login("parent")).status_code == 403
