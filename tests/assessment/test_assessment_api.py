"""The assessment contract over HTTP: create a run, scoped results, explanation, exports, refusals."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from campusguard.core.db import Database
from campusguard.stats.democity import DEMO_USERS, make_city, make_users


@pytest.fixture
def small_city(db: Database) -> dict[str, str]:
    with db.session() as s:
        make_city(s, schools=8, districts=2)
        make_users(s, "Demo-2026-cg")
    return {u: "Demo-2026-cg" for u, _, _ in DEMO_USERS}


def test_run_contract(client: TestClient, login, small_city) -> None:  # type: ignore[no-untyped-def]
    edu, police = login("edu"), login("police")
    r = client.post("/api/v1/assessment/runs", json={"period": "2026-Q3"}, headers=edu)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["period"] == "2026-Q3" and run["closed"] is True and len(run["results"]) == 8
    assert all(isinstance(x["score"], float | int) and x["rank"] >= 1 for x in run["results"])
    assert min(x["rank"] for x in run["results"]) == 1

    mine = client.get(f"/api/v1/assessment/runs/{run['id']}", headers=police).json()
    assert {x["district_code"] for x in mine["results"]} == {"440303"} and len(mine["results"]) == 4
    school = mine["results"][0]["school_id"]
    ex = client.get(f"/api/v1/assessment/runs/{run['id']}/schools/{school}", headers=police).json()
    assert ex["lines_sum"] == ex["score"] and ex["lines"]
    foreign = next(x["school_id"] for x in run["results"] if x["district_code"] != "440303")
    assert client.get(f"/api/v1/assessment/runs/{run['id']}/schools/{foreign}", headers=police).status_code == 404

    xlsx = client.get(f"/api/v1/assessment/runs/{run['id']}/export", params={"format": "xlsx"}, headers=edu)
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert sum(len(ws._charts) for ws in wb.worksheets) == 1
    pdf = client.get(f"/api/v1/assessment/runs/{run['id']}/export", params={"format": "pdf"}, headers=police)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    bad = client.post("/api/v1/assessment/runs", json={"period": "2026-11-05"}, headers=edu)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_period"
    assert client.post("/api/v1/assessment/runs", json={"period": 7}, headers=edu).status_code == 422
    assert client.post("/api/v1/assessment/runs", json={"period": "2026-Q3"}, headers=police).status_code == 403
    assert client.get("/api/v1/assessment/runs/999999", headers=edu).status_code == 404
    assert client.get(f"/api/v1/assessment/runs/{run['id']}/export", params={"format": "doc"},
                      headers=edu).status_code == 422
