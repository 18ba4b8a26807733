"""Hazard API end to end on SQLite and PostgreSQL: lifecycle, 409s, photos, idempotency, scope, stats."""

from __future__ import annotations

import io
import uuid

import pytest
from PIL import Image

KG = "440303001"  # the seeded kindergarten of district 440303 (guard, principal, liaison)


def jpeg(color=(10, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(buf, "JPEG")
    return buf.getvalue()


@pytest.fixture
def users(seeded, login):
    return {name: login(name) for name in ("guard", "principal", "liaison", "police", "police04", "admin")}


def photo(client, hid, headers, data=None, name="p.jpg"):
    files = {"file": (name, jpeg() if data is None else data, "image/jpeg")}
    return client.post(f"/api/v1/hazards/{hid}/photos", files=files, headers=headers)


def act(client, hid, action, headers, body=None):
    return client.post(f"/api/v1/hazards/{hid}/{action}", json=body or {}, headers=headers)


def report(client, headers, **over):
    body = {"school_code": KG, "category": "fire", "severity": "high",
            "description": "二楼疏散通道堆放杂物"} | over
    return client.post("/api/v1/hazards", json=body, headers=headers)


def test_full_lifecycle_with_send_back(client, users):
    g, p, lo = users["guard"], users["principal"], users["liaison"]
    r = report(client, g, source="app")
    assert r.status_code == 201, r.text
    h = r.json()
    assert h["status"] == "reported" and h["school_code"] == KG and h["actions"] == []
    hid = h["id"]
    r = photo(client, hid, g, None)
    assert r.status_code == 201 and r.json()["stage"] == "report"

    # verify before rectify is out of order
    r = act(client, hid, "verify", lo, {})
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"

    # the principal sees the assign action and assigns; the deadline follows the severity (3 days)
    assert client.get(f"/api/v1/hazards/{hid}", headers=p).json()["actions"] == ["assign"]
    r = act(client, hid, "assign", p, {"assignee_name": "保安老王"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "assigned" and d["due_at"] is not None
    from datetime import datetime

    span = datetime.fromisoformat(d["due_at"]) - datetime.fromisoformat(d["assigned_at"])
    assert round(span.total_seconds() / 3600) == 72

    # rectify without evidence is refused; with a photo it passes
    r = act(client, hid, "rectify", g, {"note": "已清理"})
    assert r.status_code == 422 and r.json()["code"] == "evidence_required"
    r = photo(client, hid, g, jpeg((0, 200, 0)))
    assert r.status_code == 201 and r.json()["stage"] == "rectification"
    r = act(client, hid, "rectify", g, {"note": "已清理"})
    assert r.status_code == 200 and r.json()["status"] == "rectified"

    # a guard may not verify; the liaison officer rejects, the guard redoes, the liaison verifies
    assert act(client, hid, "verify", g, {}).status_code == 403
    r = act(client, hid, "reject", lo, {"reason": "仍有纸箱"})
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["reject_count"] == 1
    # evidence taken before the rejection does not count again
    assert act(client, hid, "rectify", g, {"note": "再次清理"}).status_code == 422
    photo(client, hid, g, jpeg((9, 9, 9)))
    assert act(client, hid, "rectify", g, {"note": "再次清理"}).status_code == 200
    r = act(client, hid, "verify", lo, {"note": "复查合格"})
    assert r.status_code == 200, r.text
    d = r.json()
    assert d["status"] == "verified" and d["verified_by"]
    steps = [x["action"] for x in d["history"]]
    assert steps == ["report", "assign", "rectify", "reject", "rectify", "verify"]
    assert len(d["photos"]) == 3
    # closed: no more transitions, no more photos
    assert act(client, hid, "reject", lo, {"reason": "xx"}).status_code == 409
    r = photo(client, hid, g, jpeg((1, 2, 3)))
    assert r.status_code == 409
    # the photo bytes come back as JPEG to a reader in scope
    r = client.get(d["photos"][0]["url"], headers=p)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg" and r.content[:2] == b"\xff\xd8"
    # every step is in the audit log
    audit = client.get("/api/v1/audit", params={"target_type": "hazard"}, headers=users["admin"])
    if audit.status_code == 200:
        actions = {row["action"] for row in audit.json()["items"]}
        expected = {"hazard.report", "hazard.assign", "hazard.rectify", "hazard.verify", "hazard.reject"}
        assert expected <= actions


def test_non_image_and_oversized_photos_refused(client, users):
    g = users["guard"]
    hid = report(client, g).json()["id"]
    r = photo(client, hid, g, b"%PDF-1.4 fake")
    assert r.status_code == 422 and r.json()["code"] == "not_an_image"
    assert r.headers["content-type"].startswith("application/problem+json")
    big = b"\xff\xd8\xff" + b"0" * (8 * 1024 * 1024 + 10)
    r = photo(client, hid, g, big)
    assert r.status_code == 413
    # the same picture twice is stored once
    one = photo(client, hid, g, None)
    two = photo(client, hid, g, None)
    assert one.status_code == 201 and two.status_code == 200 and one.json()["id"] == two.json()["id"]


def test_client_id_is_idempotent(client, users):
    g = users["guard"]
    cid = f"offline-{uuid.uuid4()}"
    first = report(client, g, client_id=cid, source="app")
    again = report(client, g, client_id=cid, source="app")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    listed = client.get("/api/v1/hazards", params={"q": "疏散通道"}, headers=g).json()
    assert listed["total"] == 1
    # reusing the id for another school is a conflict, not a silent merge
    other = report(client, users["liaison"], client_id=cid, school_code="440303002")
    assert other.status_code == 409


def test_bad_input_is_4xx(client, users):
    g = users["guard"]
    assert report(client, g, category="weather").status_code == 422
    assert report(client, g, severity="apocalyptic").status_code == 422
    assert report(client, g, school_code="NOPE").status_code == 404
    assert report(client, g, area_id=999999).status_code == 400
    assert act(client, 999999, "assign", users["principal"]).status_code == 404
    hid = report(client, g).json()["id"]
    r = act(client, hid, "assign", users["principal"], {"due_at": "2020-01-01T00:00:00Z"})
    assert r.status_code == 400 and r.json()["code"] == "due_in_past"
    # a guard cannot assign (no hazard.assign) even in scope
    assert act(client, hid, "assign", g, {}).status_code == 403


def test_scope_other_district_cannot_see(client, users):
    hid = report(client, users["guard"]).json()["id"]
    other = users["police04"]
    assert client.get(f"/api/v1/hazards/{hid}", headers=other).status_code == 404
    assert client.get("/api/v1/hazards", headers=other).json()["total"] == 0
    assert act(client, hid, "assign", other, {}).status_code == 404
    assert report(client, other).status_code == 403 or report(client, other).status_code == 404
    stats = client.get("/api/v1/hazards/stats", params={"by": "district"}, headers=other).json()
    assert stats["total"]["found"] == 0
    # the own district's police sees it
    assert client.get(f"/api/v1/hazards/{hid}", headers=users["police"]).status_code == 200


def test_stats_by_school_grid_district(client, users):
    g, p, lo = users["guard"], users["principal"], users["liaison"]
    ids = [report(client, g, severity=s).json()["id"] for s in ("low", "high", "critical")]
    act(client, ids[0], "assign", p, {})
    photo(client, ids[0], g, None)
    assert act(client, ids[0], "rectify", g, {"note": "ok"}).status_code == 200
    act(client, ids[0], "verify", lo, {})
    for by in ("school", "grid", "district"):
        r = client.get("/api/v1/hazards/stats", params={"by": by}, headers=users["police"])
        assert r.status_code == 200, r.text
        body = r.json()
        total = body["total"]
        assert total["found"] == 3 and total["rectified"] == 1 and total["verified"] == 1
        assert body["total"]["open"] == 2
        assert len(body["items"]) == 1 and body["items"][0]["name"]
    r = client.get("/api/v1/hazards/stats", params={"since": "2020-01-01T00:00:00"},
                   headers=users["police"])
    assert r.status_code == 400
    r = client.get("/api/v1/hazards/stats", params={"by": "planet"}, headers=users["police"])
    assert r.status_code == 422


def test_grid_owner_may_verify_without_the_permission(client, users, login, db):
    """The grid's responsible person verifies its schools' hazards whatever their role."""
    from sqlalchemy import select, update

    from campusguard.accounts.models import User
    from campusguard.org.models import Grid, School

    g, p = users["guard"], users["principal"]
    hid = report(client, g).json()["id"]
    act(client, hid, "assign", p)
    photo(client, hid, g, None)
    assert act(client, hid, "rectify", g, {"note": "已处理"}).status_code == 200
    operator = login("operator")  # no hazard.verify in the matrix
    assert act(client, hid, "verify", operator).status_code == 403
    with db.session() as s:
        uid = s.scalars(select(User.id).where(User.username == "operator")).one()
        grid_id = s.scalars(select(School.grid_id).where(School.code == KG)).one()
        s.execute(update(Grid).where(Grid.id == grid_id).values(owner_user_id=uid))
    detail = client.get(f"/api/v1/hazards/{hid}", headers=operator).json()
    assert detail["actions"] == ["verify", "reject"]
    r = act(client, hid, "verify", operator, {"note": "网格长验收"})
    assert r.status_code == 200 and r.json()["status"] == "verified"
