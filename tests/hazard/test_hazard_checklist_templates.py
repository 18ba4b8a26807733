"""Checklist templates owned by the city, a district or a school: scope, versions, on/off, audit, use."""

from __future__ import annotations

from sqlalchemy import select

from campusguard.core.db import Database
from campusguard.core.models import AuditLog
from campusguard.org.models import School

KG = "440303001"  # the seeded kindergarten of district 440303 (principal, liaison, guard)

ITEMS = [
    {"code": "GATE-01", "text": "校门值守到位 Gate staffed", "category": "perimeter", "severity": "high"},
    {"code": "FIRE-09", "text": "微型消防站器材齐全 Fire kit complete", "category": "fire", "severity": "critical"},
]


def _new(client, headers, name="晨检", **over):
    body = {"school_type": "kindergarten", "name": name, "items": ITEMS} | over
    return client.post("/api/v1/hazards/checklists", json=body, headers=headers)


def _names(client, headers, **params):
    r = client.get("/api/v1/hazards/checklists", params={"school_type": "kindergarten"} | params, headers=headers)
    assert r.status_code == 200, r.text
    return {t["name"]: t for t in r.json()["items"]}


def test_each_level_keeps_its_own_templates(client, seeded, login) -> None:
    principal, police, police04, admin = (login(u) for u in ("principal", "police", "police04", "admin"))
    # a school admin keeps checklists of its own school only
    assert _new(client, principal).status_code == 403
    r = _new(client, principal, school_code=KG)
    assert r.status_code == 201, r.text
    mine = r.json()
    assert mine["scope_key"].startswith("school:") and mine["school_code"] == KG and mine["editable"]
    assert mine["version"] == 1 and [i["code"] for i in mine["items"]] == ["GATE-01", "FIRE-09"]
    assert _new(client, principal, school_code=KG).json()["code"] == "duplicate"
    # a district keeps its district's; another district neither sees nor edits them
    r = _new(client, police, name="区级周检", district_code="440303")
    assert r.status_code == 201 and r.json()["district_code"] == "440303"
    district_id = r.json()["id"]
    assert _new(client, police04, name="越权", district_code="440303").status_code == 403
    assert _new(client, police, name="全市").status_code == 403  # the city's level needs the city
    assert "区级周检" not in _names(client, police04) and "晨检" not in _names(client, police04)
    r = client.patch(f"/api/v1/hazards/checklists/{district_id}", json={"name": "x"}, headers=police04)
    assert r.status_code == 404
    # the city's template is seen everywhere, edited only by the city
    r = _new(client, admin, name="全市标准")
    assert r.status_code == 201 and r.json()["scope_key"] == "city"
    city = _names(client, police)["全市标准"]
    assert not city["editable"] and _names(client, admin)["全市标准"]["editable"]
    r = client.patch(f"/api/v1/hazards/checklists/{city['id']}", json={"active": False}, headers=police)
    assert r.status_code == 403
    seen = _names(client, principal)
    assert {"晨检", "区级周检", "全市标准"} <= set(seen) and not seen["区级周检"]["editable"]
    # the built-in standard is read-only for everybody
    builtin = next(t for t in seen.values() if t["builtin"])
    r = client.patch(f"/api/v1/hazards/checklists/{builtin['id']}", json={"active": False}, headers=admin)
    assert r.status_code == 409 and r.json()["code"] == "builtin_readonly"


def test_edit_versions_disable_and_audit(client, db: Database, seeded, login) -> None:
    principal, liaison = login("principal"), login("liaison")
    tpl = _new(client, principal, school_code=KG).json()
    url = f"/api/v1/hazards/checklists/{tpl['id']}"
    # re-ordered and extended items make version 2; a rename alone keeps the version
    items = [ITEMS[1], ITEMS[0], {"code": "FOOD-07", "text": "留样柜温度 Sample fridge temperature",
                                  "category": "food", "severity": "medium"}]
    r = client.patch(url, json={"items": items, "version": 1}, headers=principal)
    assert r.status_code == 200, r.text
    assert r.json()["version"] == 2 and [i["code"] for i in r.json()["items"]] == ["FIRE-09", "GATE-01", "FOOD-07"]
    r = client.patch(url, json={"name": "晨检（新）", "version": 1}, headers=principal)
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    r = client.patch(url, json={"name": "晨检（新）"}, headers=principal)
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["name"] == "晨检（新）"
    bad = client.patch(url, json={"items": [ITEMS[0], ITEMS[0]]}, headers=principal)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_checklist"
    assert client.patch(url, json={"items": [ITEMS[0] | {"severity": "awful"}]}, headers=principal).status_code == 422

    # an inspection with it records the version it used; failed items open hazards of the item's severity
    answers = {"FIRE-09": False, "GATE-01": True, "FOOD-07": True}
    r = client.post("/api/v1/hazards/inspections", json={"school_code": KG, "template_id": tpl["id"],
                                                        "answers": answers}, headers=liaison)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["template_version"] == 2 and run["failed"] == 1
    assert client.get(f"/api/v1/hazards/{run['hazard_ids'][0]}", headers=liaison).json()["severity"] == "critical"

    # another kindergarten may not use this school's template
    with db.session() as s:
        other = s.scalars(select(School.code).where(School.type == "kindergarten", School.code != KG)).first()
    if other is not None:
        r = client.post("/api/v1/hazards/inspections", json={"school_code": other, "template_id": tpl["id"],
                                                            "answers": answers}, headers=login("admin"))
        assert r.status_code == 400 and r.json()["code"] == "wrong_scope"

    # switched off: gone from the picker, kept in the editor's list, refused for inspections
    assert client.patch(url, json={"active": False}, headers=principal).json()["active"] is False
    assert "晨检（新）" not in _names(client, principal, school_code=KG)
    assert _names(client, principal, include_inactive=True)["晨检（新）"]["active"] is False
    r = client.post("/api/v1/hazards/inspections", json={"school_code": KG, "template_id": tpl["id"],
                                                        "answers": answers}, headers=liaison)
    assert r.status_code == 404

    with db.session() as s:
        rows = s.scalars(select(AuditLog).where(AuditLog.target_type == "hazard_checklist",
                                                AuditLog.target_id == str(tpl["id"])).order_by(AuditLog.seq)).all()
        actions = [a.action for a in rows]
        assert actions == ["hazard.checklist_create"] + ["hazard.checklist_update"] * 3
        assert rows[1].detail["before"]["version"] == 1 and rows[1].detail["after"]["version"] == 2
        assert rows[-1].detail["changed"] == ["active"]


def test_guard_cannot_edit(client, seeded, login) -> None:
    r = _new(client, login("guard"), school_code=KG)
    assert r.status_code == 403
