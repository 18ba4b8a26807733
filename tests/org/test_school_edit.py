"""School create/edit from the console: live-view windows, district moves, scope, audit, problem+json."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient

from campusguard.core.db import Database
from campusguard.org.models import School
from campusguard.video.parents import in_window

KINDERGARTEN = {
    "code": "440303950", "name": "罗湖区新建幼儿园", "type": "kindergarten", "district_code": "440303",
    "address": "深圳市罗湖区东门路 1 号", "lat": 22.548, "lon": 114.118, "principal_name": "王园长",
    "phone": "0755-82000001", "live_view_windows": [["08:30", "11:30"], ["14:30", "16:30"]],
    "live_view_days": [5, 1, 2, 3, 4, 4],
}


def _audit(client: TestClient, headers: dict[str, str], action: str, school_id: int) -> list[dict]:
    rows = client.get(f"/api/v1/audit?action={action}&limit=50", headers=headers).json()["items"]
    return [r for r in rows if r["target_id"] == str(school_id)]


def test_city_admin_creates_a_kindergarten_with_live_view_windows(client: TestClient, seeded, login,
                                                                   db: Database) -> None:
    admin = login("admin")
    r = client.post("/api/v1/schools", headers=admin, json=KINDERGARTEN)
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["live_view_windows"] == [["08:30", "11:30"], ["14:30", "16:30"]]
    assert body["live_view_days"] == [1, 2, 3, 4, 5]  # sorted, repeats dropped
    detail = client.get(f"/api/v1/schools/{body['id']}", headers=login("police")).json()
    assert detail["principal_name"] == "王园长" and detail["phone"] == "0755-82000001"
    assert detail["live_view_windows"] == body["live_view_windows"]
    # the parents' live view reads the same settings: Monday 09:00 Shanghai is open, 12:00 is not
    with db.session() as session:
        school = session.get(School, body["id"])
        assert school is not None
        assert in_window(school, datetime(2026, 11, 23, 1, 0, tzinfo=UTC))
        assert not in_window(school, datetime(2026, 11, 23, 4, 0, tzinfo=UTC))
        assert not in_window(school, datetime(2026, 11, 22, 1, 0, tzinfo=UTC))  # a Sunday
    rows = _audit(client, admin, "school.create", body["id"])
    assert len(rows) == 1 and rows[0]["actor"] == "admin"
    assert rows[0]["detail"]["live_view_windows"] == [["08:30", "11:30"], ["14:30", "16:30"]]


def test_district_police_edits_its_school_and_the_audit_keeps_before_and_after(client: TestClient, seeded,
                                                                               login) -> None:
    police = login("police")
    sid = client.post("/api/v1/schools", headers=police, json=KINDERGARTEN).json()["id"]
    r = client.patch(f"/api/v1/schools/{sid}", headers=police, json={
        "name": "罗湖区东门幼儿园", "address": "东门路 2 号", "lat": None, "lon": None,
        "live_view_windows": [["09:00", "10:00"]], "principal_name": "李园长"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["name"] == "罗湖区东门幼儿园" and body["lat"] is None and body["lon"] is None
    assert body["live_view_windows"] == [["09:00", "10:00"]]
    assert body["live_view_days"] == [1, 2, 3, 4, 5]  # untouched by the patch
    assert body["type"] == "kindergarten" and body["phone"] == "0755-82000001"
    row = _audit(client, police, "school.update", sid)[0]
    assert row["detail"]["name"] == "罗湖区东门幼儿园"
    assert row["detail"]["before"]["name"] == "罗湖区新建幼儿园"
    assert row["detail"]["before"]["live_view_windows"] == [["08:30", "11:30"], ["14:30", "16:30"]]
    assert "students" not in row["detail"]


def test_moving_a_school_needs_both_districts(client: TestClient, seeded, login) -> None:
    police, police04, admin = login("police"), login("police04"), login("admin")
    sid = client.post("/api/v1/schools", headers=police, json=KINDERGARTEN).json()["id"]
    grid = client.get("/api/v1/grids?district_code=440303", headers=police).json()["items"][0]
    assert client.patch(f"/api/v1/schools/{sid}", headers=police, json={"grid_id": grid["id"]}).status_code == 200
    r = client.patch(f"/api/v1/schools/{sid}", headers=police, json={"district_code": "440304"})
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.patch(f"/api/v1/schools/{sid}", headers=admin, json={"district_code": "440304"})
    assert r.status_code == 200, r.text
    assert r.json()["district_code"] == "440304" and r.json()["grid_id"] is None  # the old district's grid
    assert client.get(f"/api/v1/schools/{sid}", headers=police).status_code == 404
    assert client.get(f"/api/v1/schools/{sid}", headers=police04).status_code == 200
    assert _audit(client, police04, "school.update", sid)[0]["detail"]["before"]["district_code"] == "440303"


def test_school_admin_edits_its_own_school_only(client: TestClient, seeded, login) -> None:
    principal = login("principal")
    own = client.get("/api/v1/schools", headers=principal).json()["items"][0]
    r = client.patch(f"/api/v1/schools/{own['id']}", headers=principal, json={"phone": "0755-83000000"})
    assert r.status_code == 200 and r.json()["phone"] == "0755-83000000"
    r = client.patch(f"/api/v1/schools/{own['id']}", headers=principal, json={"district_code": "440304"})
    assert r.status_code == 403
    r = client.post("/api/v1/schools", headers=principal, json={**KINDERGARTEN, "code": "440303951"})
    assert r.status_code == 403


def test_bad_school_input_is_problem_json(client: TestClient, seeded, login) -> None:
    police = login("police")
    sid = client.post("/api/v1/schools", headers=police, json=KINDERGARTEN).json()["id"]
    bad_patches = [
        ({"live_view_windows": [["11:30", "08:30"]]}, 422),  # closes before it opens
        ({"live_view_windows": [["8:30", "11:30"]]}, 422),  # not HH:MM
        ({"live_view_days": [0]}, 422),
        ({"name": None}, 422),
        ({"students": None}, 422),
        ({"lat": 91}, 422),
        ({"address": "x" * 300}, 422),
    ]
    for patch, status in bad_patches:
        r = client.patch(f"/api/v1/schools/{sid}", headers=police, json=patch)
        assert r.status_code == status, (patch, r.text)
        assert r.headers["content-type"].startswith("application/problem+json"), patch
    other_grid = client.get("/api/v1/grids?district_code=440304", headers=login("admin")).json()["items"][0]
    r = client.patch(f"/api/v1/schools/{sid}", headers=police, json={"grid_id": other_grid["id"]})
    assert r.status_code == 400 and r.json()["code"] == "grid_outside_district"
    r = client.post("/api/v1/schools", headers=police, json={**KINDERGARTEN, "code": "440303952",
                                                             "grid_id": other_grid["id"]})
    assert r.status_code == 400 and r.json()["code"] == "grid_outside_district"
    r = client.post("/api/v1/schools", headers=police, json={**KINDERGARTEN, "code": "440303953",
                                                             "district_code": "440399"})
    assert r.status_code == 400 and r.json()["code"] == "unknown_district"
    r = client.post("/api/v1/schools", headers=police, json=KINDERGARTEN)
    assert r.status_code == 409 and r.json()["code"] == "duplicate"
    unchanged = client.get(f"/api/v1/schools/{sid}", headers=police).json()
    assert unchanged["name"] == KINDERGARTEN["name"] and unchanged["live_view_days"] == [1, 2, 3, 4, 5]


def test_reimport_keeps_the_windows_set_in_the_console(client: TestClient, seeded, login) -> None:
    police = login("police")
    sid = client.post("/api/v1/schools", headers=police, json=KINDERGARTEN).json()["id"]
    csv = "学校代码,名称,类型,区划代码,学生数\n440303950,罗湖区新建幼儿园,幼儿园,440303,180\n".encode()
    r = client.post("/api/v1/import/schools", headers=police, files={"file": ("s.csv", csv, "text/csv")})
    assert r.status_code == 200 and r.json()["updated"] == 1, r.text
    body = client.get(f"/api/v1/schools/{sid}", headers=police).json()
    assert body["students"] == 180 and body["live_view_windows"] == [["08:30", "11:30"], ["14:30", "16:30"]]
