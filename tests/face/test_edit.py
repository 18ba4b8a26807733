"""Editing watchlists after enrolment: fields, photos (re-enrol), deletion — scoped, audited, index in step."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from campusguard.core.db import utcnow
from campusguard.core.models import AuditLog
from campusguard.face import runtime
from campusguard.face.events import FaceTemplatesChanged
from campusguard.face.handlers import apply_change
from campusguard.face.models import Capture


def _key_list(client, police) -> int:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/watchlists", json={"name": "重点人员", "kind": "key_person"}, headers=police)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def _enrol(client, auth, wid, photo, rel):  # type: ignore[no-untyped-def]
    data = {"name": "Barack", "category": "wanted", "legal_basis": "协查通报 2026-007"}
    r = client.post(f"/api/v1/watchlists/{wid}/persons", data=data,
                    files=[("photo", (rel, photo(rel), "image/jpeg"))], headers=auth)
    assert r.status_code == 201, r.text
    return r.json()


def _capture(client, kg, photo, rel):  # type: ignore[no-untyped-def]
    r = client.post(f"/api/v1/gates/{kg['device']}/captures", files={"image": (rel, photo(rel), "image/jpeg")},
                    headers=kg["device_auth"])
    assert r.status_code == 200, r.text
    return r.json()["faces"][0]


def _end_passages(db) -> None:  # type: ignore[no-untyped-def]
    """Age every capture so the next frame is a new passage, not merged into the last one."""
    with db.session() as s:
        for cap in s.scalars(select(Capture)):
            cap.captured_at = cap.last_seen_at = utcnow() - timedelta(minutes=5)


def _indexed(client, wid: int) -> set[int]:  # type: ignore[no-untyped-def]
    """Template ids in the serving app's live index (its own Database object, not the test's)."""
    with client.app.state.db.session() as s:
        index = runtime.registry(s).get(wid)
        return {tid for tid in range(1, 1000) if tid in index}


def _actions(db, person_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with db.session() as s:
        return list(s.scalars(select(AuditLog.action).where(
            AuditLog.target_type == "face_person", AuditLog.target_id == str(person_id)).order_by(AuditLog.id)))


def test_update_fields_scoped_validated_and_audited(client, login, kg, photo, db, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    person = _enrol(client, police, wid, photo, "obama/1.jpg")
    url = f"/api/v1/face/persons/{person['id']}"

    r = client.patch(url, json={"name": "B. Obama", "risk_level": "high", "id_number": "110101199001011234"},
                     headers=police)
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "B. Obama" and r.json()["risk_level"] == "high"
    assert r.json()["templates"] == person["templates"]
    assert client.get(url, headers=login("admin")).json()["name"] == "B. Obama"

    assert client.patch(url, json={"category": "student"}, headers=police).json()["code"] == "bad_category"
    assert client.patch(url, json={"name": None}, headers=police).status_code == 400
    assert client.patch(url, json={"legal_basis": None}, headers=police).json()["code"] == "legal_basis_required"
    assert client.patch(url, json={"colour": "red"}, headers=police).status_code == 422
    past = (utcnow() - timedelta(days=1)).isoformat()
    assert client.patch(url, json={"expires_at": past}, headers=police).json()["code"] == "expired"

    # key persons: only police in the list's region and the city administrator
    assert client.patch(url, json={"name": "x"}, headers=login("principal")).status_code == 404
    assert client.patch(url, json={"name": "x"}, headers=login("police04")).status_code in (403, 404)
    assert client.get(url, headers=login("edu")).status_code in (403, 404)
    assert client.get(url, headers=police).json()["name"] == "B. Obama"

    with db.session() as s:
        row = s.scalars(select(AuditLog).where(AuditLog.action == "face.person.update")).one()
        assert row.detail["fields"] == ["id_number", "name", "risk_level"]
        assert "110101199001011234" not in str(row.detail)  # field names only, never the values


def test_deactivate_takes_the_person_out_of_matching_at_once(client, login, kg, photo, db, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    person = _enrol(client, police, wid, photo, "obama/1.jpg")
    url = f"/api/v1/face/persons/{person['id']}"

    assert client.patch(url, json={"active": False}, headers=police).json()["active"] is False
    assert _indexed(client, wid) == set()
    # the enrolment's own event, relayed late, must not bring a deactivated person back
    apply_change(client.app.state.db, FaceTemplatesChanged(watchlist_id=wid, added=person["templates"]))
    assert _indexed(client, wid) == set()
    assert _capture(client, kg, photo, "obama/2.jpg")["status"] == "unknown"

    _end_passages(db)
    assert client.patch(url, json={"active": True}, headers=police).json()["active"] is True
    assert _indexed(client, wid) == set(person["templates"])
    # nor may the deactivation's event, relayed late, take a re-activated person out
    apply_change(client.app.state.db, FaceTemplatesChanged(watchlist_id=wid, removed=person["templates"]))
    assert _indexed(client, wid) == set(person["templates"])
    hit = _capture(client, kg, photo, "obama/2.jpg")
    assert hit["status"] == "matched" and hit["person_id"] == person["id"] and hit["incident_id"]


def test_add_remove_and_replace_photos(client, login, kg, photo, db, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    person = _enrol(client, police, wid, photo, "kit_harington/1.jpg")
    other = _enrol(client, police, wid, photo, "biden/1.jpg")
    base = f"/api/v1/face/persons/{person['id']}"
    first = person["templates"][0]

    r = client.post(f"{base}/photos", files=[("photo", ("k2.jpg", photo("kit_harington/2.jpg"), "image/jpeg"))],
                    headers=police)
    assert r.status_code == 201, r.text
    templates = r.json()["templates"]
    assert len(templates) == 2 and first in templates and r.json()["faces_stored"] == 1
    added = next(t for t in templates if t != first)
    assert _indexed(client, wid) == {first, added, *other["templates"]}

    # a photo failing the quality gate changes nothing
    group = photo("_groups/kit_with_rose.jpg")
    r = client.post(f"{base}/photos", data={"replace": "true"}, files=[("photo", ("g.jpg", group, "image/jpeg"))],
                    headers=police)
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert client.get(base, headers=police).json()["templates"] == templates

    assert client.delete(f"{base}/photos/{other['templates'][0]}", headers=police).status_code == 404
    assert client.delete(f"{base}/photos/{first}", headers=login("principal")).status_code == 404
    assert client.delete(f"{base}/photos/{first}", headers=police).status_code == 204
    assert first not in _indexed(client, wid)
    last = client.delete(f"{base}/photos/{added}", headers=police)
    assert last.status_code == 409 and last.json()["code"] == "last_photo"

    # re-enrol: the new photo replaces every earlier one, in the table and in the index
    r = client.post(f"{base}/photos", data={"replace": "true"},
                    files=[("photo", ("o1.jpg", photo("obama/1.jpg"), "image/jpeg"))], headers=police)
    assert r.status_code == 201, r.text
    (new,) = r.json()["templates"]
    assert _indexed(client, wid) == {new, *other["templates"]}
    hit = _capture(client, kg, photo, "obama/2.jpg")
    assert hit["status"] == "matched" and hit["person_id"] == person["id"]
    assert _actions(db, person["id"]) == [
        "face.person.enrol", "face.person.photos_add", "face.person.photo_remove", "face.person.reenrol"]


def test_delete_person_and_watchlist(client, login, kg, photo, db, face_pool) -> None:
    police = login("police")
    wid = _key_list(client, police)
    person = _enrol(client, police, wid, photo, "obama/1.jpg")
    hit = _capture(client, kg, photo, "obama/2.jpg")
    assert hit["incident_id"]

    assert client.delete(f"/api/v1/face/persons/{person['id']}", headers=login("principal")).status_code == 404
    # a person with a hit (alert, incident, retained capture) can still be deleted; the records stay
    assert client.delete(f"/api/v1/face/persons/{person['id']}", headers=police).status_code == 204
    assert client.get(f"/api/v1/face/persons/{person['id']}", headers=police).status_code == 404
    assert _indexed(client, wid) == set()
    assert client.get("/api/v1/face/alerts", params={"kind": "watchlist_hit"}, headers=police).json()["total"] == 1
    _end_passages(db)
    assert _capture(client, kg, photo, "obama/2.jpg")["status"] == "unknown"

    second = _enrol(client, police, wid, photo, "biden/1.jpg")
    assert client.delete(f"/api/v1/watchlists/{wid}", headers=login("principal")).status_code in (403, 404)
    assert client.delete(f"/api/v1/watchlists/{wid}", headers=police).status_code == 204
    assert client.get(f"/api/v1/watchlists/{wid}", headers=police).status_code == 404
    assert client.get(f"/api/v1/face/persons/{second['id']}", headers=police).status_code == 404
    assert _indexed(client, wid) == set()
    with db.session() as s:
        actions = set(s.scalars(select(AuditLog.action).where(AuditLog.action.like("face.%.delete"))))
    assert actions == {"face.person.delete", "face.watchlist.delete"}


def test_templates_of_another_engine_stay_out_of_the_index(client, login, kg, photo, db, face_pool) -> None:
    from campusguard.face.models import FaceTemplate

    police = login("police")
    wid = _key_list(client, police)
    kept = _enrol(client, police, wid, photo, "obama/1.jpg")
    other = _enrol(client, police, wid, photo, "biden/1.jpg")
    with db.session() as s:  # as if enrolled before CG_FACE_ENGINE was switched
        s.get(FaceTemplate, other["templates"][0]).engine = "OnnxFaceEngine"
    runtime.forget(client.app.state.db)
    assert _indexed(client, wid) == set(kept["templates"])
