"""Organisation CRUD, bad input as problem+json, bulk import all-or-nothing."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import Workbook


def test_school_area_person_crud(client: TestClient, seeded, login) -> None:
    h = login("police")
    r = client.post("/api/v1/schools", headers=h, json={
        "code": "440303900", "name": "罗湖区新建小学", "type": "primary", "district_code": "440303",
        "students": 640, "lat": 22.55, "lon": 114.12})
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = client.post(f"/api/v1/schools/{sid}/areas", headers=h, json={"name": "男卫生间", "kind": "toilet",
                                                                      "private": False})
    assert r.status_code == 201 and r.json()["private"] is True  # toilets are private whatever is asked
    assert client.post(f"/api/v1/schools/{sid}/areas", headers=h,
                       json={"name": "男卫生间", "kind": "toilet"}).status_code == 409
    assert client.post(f"/api/v1/schools/{sid}/areas", headers=h,
                       json={"name": "x", "kind": "spaceport"}).status_code == 400
    r = client.post("/api/v1/people", headers=h, json={"school_id": sid, "kind": "student", "name": "李小明",
                                                       "class_name": "一年级1班", "id_number": "440303201801011234"})
    assert r.status_code == 201 and r.json()["minor"] is True
    assert "id_number" not in r.json()
    detail = client.get(f"/api/v1/schools/{sid}", headers=h).json()
    assert detail["counts"]["students"] == 1 and detail["counts"]["areas"] == 1
    r = client.patch(f"/api/v1/schools/{sid}", headers=h, json={"students": 700})
    assert r.status_code == 200 and r.json()["students"] == 700


def test_bad_input_gets_problem_json(client: TestClient, seeded, login) -> None:
    h = login("police")
    r = client.post("/api/v1/schools", headers={**h, "content-type": "application/json"}, content=b"{not json")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    r = client.post("/api/v1/schools", headers=h, json={"code": "A", "name": "n", "type": "castle",
                                                        "district_code": "440303"})
    assert r.status_code == 422 and r.json()["errors"][0]["loc"][-1] == "type"
    r = client.get("/api/v1/schools/not-a-number", headers=h)
    assert r.status_code == 422
    r = client.get("/api/v1/schools", headers={"Authorization": "Bearer forged.token.value"})
    assert r.status_code == 401 and r.json()["code"] == "token_invalid"
    big = b"x" * (11 * 1024 * 1024)
    r = client.post("/api/v1/import/schools", headers=h, files={"file": ("big.csv", big, "text/csv")})
    assert r.status_code == 413


def test_csv_import_is_all_or_nothing(client: TestClient, seeded, login) -> None:
    h = login("police")
    csv = ("学校代码,名称,类型,区划代码,学生数\n"
           "440303801,罗湖区一号小学,小学,440303,500\n"
           "440303802,罗湖区二号中学,middle,440303,-5\n"
           "440303803,福田越界学校,primary,440304,100\n").encode()
    r = client.post("/api/v1/import/schools", headers=h, files={"file": ("s.csv", csv, "text/csv")})
    assert r.status_code == 422, r.text
    errors = {e["row"]: e["errors"] for e in r.json()["result"]["errors"]}
    assert set(errors) == {3, 4}
    assert client.get("/api/v1/schools?q=440303801", headers=h).json()["total"] == 0
    good = "学校代码,名称,类型,区划代码,学生数\n440303801,罗湖区一号小学,小学,440303,500\n".encode()
    r = client.post("/api/v1/import/schools", headers=h, files={"file": ("s.csv", good, "text/csv")})
    assert r.status_code == 200 and r.json()["created"] == 1
    assert client.get("/api/v1/schools?q=440303801", headers=h).json()["total"] == 1


def test_xlsx_people_import_with_guardians(client: TestClient, seeded, login) -> None:
    h = login("principal")
    wb = Workbook()
    ws = wb.active
    ws.append(["所属学校", "人员类别", "姓名", "班级", "编号", "监护对象学号"])
    ws.append(["440303001", "学生", "张三", "小一班", "X001", None])
    ws.append(["440303001", "家长", "张父", None, "X002", "X001"])
    buf = io.BytesIO()
    wb.save(buf)
    r = client.post("/api/v1/import/people", headers=h,
                    files={"file": ("roster.xlsx", buf.getvalue(),
                                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 2
    people = client.get("/api/v1/people?q=张", headers=h).json()["items"]
    assert {p["name"] for p in people} >= {"张三", "张父"}
    r = client.post("/api/v1/import/people", headers=h, files={"file": ("x.xlsx", b"PK\x03\x04garbage", "x")})
    assert r.status_code == 400 and r.json()["code"] == "bad_file"
