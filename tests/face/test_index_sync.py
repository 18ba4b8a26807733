"""Two nodes on one database: template changes travel as events and update the other node's index."""

from __future__ import annotations

from sqlalchemy import select

from campusguard.core.db import Database
from campusguard.core.models import OutboxEvent
from campusguard.face import runtime
from campusguard.face.events import FaceTemplatesChanged
from campusguard.face.handlers import apply_change


def _enrol(client, police, wid, photo, rel, name):  # type: ignore[no-untyped-def]
    r = client.post(f"/api/v1/watchlists/{wid}/persons", headers=police,
                    data={"name": name, "category": "wanted", "legal_basis": "x"},
                    files=[("photo", ("p.jpg", photo(rel), "image/jpeg"))])
    assert r.status_code == 201, r.text
    return r.json()


def test_other_node_follows_enrolment_and_deletion(client, login, db_url, photo, seeded, face_pool) -> None:
    police = login("police")
    wid = client.post("/api/v1/watchlists", json={"name": "k", "kind": "key_person"}, headers=police).json()["id"]
    first = _enrol(client, police, wid, photo, "obama/1.jpg", "A")
    node_b = Database(db_url)
    try:
        with node_b.session() as s:
            reg = runtime.registry(s)
        assert len(reg.get(wid)) == 1
        second = _enrol(client, police, wid, photo, "biden/1.jpg", "B")
        assert len(reg.get(wid)) == 1  # node B has not heard yet
        apply_change(node_b, FaceTemplatesChanged(watchlist_id=wid, added=second["templates"]))
        assert len(reg.get(wid)) == 2 and second["templates"][0] in reg.get(wid)
        assert client.delete(f"/api/v1/face/persons/{first['id']}", headers=police).status_code == 204
        apply_change(node_b, FaceTemplatesChanged(watchlist_id=wid, removed=first["templates"]))
        assert first["templates"][0] not in reg.get(wid) and len(reg.get(wid)) == 1
        with node_b.session() as s:
            types = s.scalars(select(OutboxEvent.type).where(OutboxEvent.type == "face.templates.changed")).all()
        assert len(types) == 3
    finally:
        runtime.forget(node_b)
        node_b.dispose()
