"""Dashboard API: scoped overview, drill-down to records, exports, briefings, refusals as problem+json.

Events are dated February 2027, clear of any seeded history.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from campusguard.core.db import Database
from campusguard.org.models import School
from campusguard.stats import briefing, feed
from campusguard.stats.models import Briefing
from campusguard.stats.periods import parse_period

from .conftest import alarm_events, hazard_reported

T1 = datetime(2027, 2, 9, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai, ISO week 2027-W06
PERIOD = "2027-02"


def test_overview_scope_drilldown_exports_and_briefings(
    client: TestClient,
    login,
    small_city,  # type: ignore[no-untyped-def]
    db: Database,
) -> None:
    with db.session() as s:
        all_schools = list(s.scalars(select(School).order_by(School.id)).all())
        mine = [x for x in all_schools if x.district_code == "440303"]
        other = [x for x in all_schools if x.district_code != "440303"]
        for e in [
            *alarm_events(mine[0], 1, at=T1),
            *alarm_events(other[0], 2, at=T1, outcome="false_alarm"),
            hazard_reported(mine[1], 5, at=T1),
        ]:
            feed.ingest(s, e)
        briefing.build_briefing(s, district="440303", period=parse_period("2027-W06"))
        # the other district's briefing only needs to exist for the visibility check (no rendering)
        s.add(Briefing(district_code="440304", district_name="福田区", period="2027-W06", summary={},
                       pdf=b"%PDF-1.4 stub", xlsx=b"stub"))
    admin, police = login("admin"), login("police")

    city = client.get("/api/v1/stats/overview", params={"period": PERIOD}, headers=admin)
    assert city.status_code == 200, city.text
    data = city.json()
    metrics = {m["name"]: m for m in data["metrics"]}
    assert data["scope"]["schools"] == 8 and metrics["alarms_total"]["value"] == 2
    assert metrics["face_alerts"]["status"] == "no_data"
    assert {d["district_code"] for d in data["districts"]} == {"440303", "440304"}
    assert len(data["schools"]) == 8 and all(
        s["status"] in ("green", "amber", "red", "no_data") for s in data["schools"]
    )

    district = client.get("/api/v1/stats/overview", params={"period": PERIOD}, headers=police).json()
    assert district["scope"]["schools"] == 4  # a district sees only its schools
    assert {s["district_code"] for s in district["schools"]} == {"440303"}
    assert {m["name"]: m["value"] for m in district["metrics"]}["alarms_total"] == 1
    assert (
        client.get("/api/v1/stats/overview", params={"region": "440304"}, headers=police).status_code == 404
    )
    assert (
        client.get("/api/v1/stats/overview", params={"school": other[0].id}, headers=police).status_code
        == 404
    )

    bad = client.get("/api/v1/stats/overview", params={"period": "2026-Q9"}, headers=admin)
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "bad_period"
    assert client.get("/api/v1/stats/drilldown", params={"metric": "nope"}, headers=admin).status_code == 400

    drill = client.get(
        "/api/v1/stats/drilldown", params={"metric": "alarms_total", "period": PERIOD}, headers=police
    ).json()
    assert drill["total"] == 1 and drill["items"][0]["ref_type"] == "incident"
    assert drill["items"][0]["ref_id"] == "1" and drill["items"][0]["school_id"] == mine[0].id

    xlsx = client.get("/api/v1/stats/export", params={"period": PERIOD, "format": "xlsx"}, headers=police)
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.content))
    assert sum(len(ws._charts) for ws in wb.worksheets) >= 1
    pdf = client.get("/api/v1/stats/export", params={"period": PERIOD, "format": "pdf"}, headers=police)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    listed = client.get("/api/v1/stats/briefings", headers=police).json()
    assert [b["district_code"] for b in listed["items"] if b["period"] == "2027-W06"] == ["440303"]
    every = client.get("/api/v1/stats/briefings", headers=admin).json()
    assert {b["district_code"] for b in every["items"] if b["period"] == "2027-W06"} == {"440303", "440304"}
    b_id = listed["items"][0]["id"]
    assert client.get(f"/api/v1/stats/briefings/{b_id}/pdf", headers=police).content.startswith(b"%PDF")
    foreign = next(b["id"] for b in every["items"] if b["district_code"] == "440304")
    assert client.get(f"/api/v1/stats/briefings/{foreign}/pdf", headers=police).status_code == 404
