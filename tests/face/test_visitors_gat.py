"""Visitors screened against watchlists; GA/T 1400 export of captures and import of a watchlist."""

from __future__ import annotations

import base64
from datetime import timedelta

from campusguard.core.db import utcnow
from campusguard.face.visitors import mask, normalise_id

VALID_ID = "11010519491231002X"


def _visit(client, auth, kg, photo, rel, **extra):  # type: ignore[no-untyped-def]
    now = utcnow()
    form = {
        "school_id": str(kg["school_id"]),
        "name": "访客",
        "id_number": VALID_ID,
        "host": "王老师",
        "purpose": "家长会",
        "valid_from": (now - timedelta(minutes=5)).isoformat(),
        "valid_until": (now + timedelta(hours=2)).isoformat(),
        **extra,
    }
    return client.post(
        "/api/v1/visitors", data=form, files={"photo": (rel, photo(rel), "image/jpeg")}, headers=auth
    )


def test_id_number_checks() -> None:
    assert normalise_id("11010519491231002x") == VALID_ID
    assert mask(VALID_ID) == "110***********002X"
    import pytest

    from campusguard.core.errors import BadRequest

    with pytest.raises(BadRequest):
        normalise_id("110105194912310021")  # wrong check digit


def test_visitor_cleared_then_recognised_at_gate(client, login, kg, photo, face_pool) -> None:
    guard = login("guard")
    r = _visit(client, guard, kg, photo, "kit_harington/1.jpg")
    assert r.status_code == 201, r.text
    v = r.json()
    assert v["status"] == "approved" and v["badge_code"] and v["id_number_masked"].endswith("002X")
    assert VALID_ID not in r.text
    assert client.post(f"/api/v1/visitors/{v['id']}/checkin", headers=guard).json()["status"] == "in"
    face = client.post(
        f"/api/v1/gates/{kg['device']}/captures",
        headers=kg["device_auth"],
        files={"image": ("k.jpg", photo("kit_harington/2.jpg"), "image/jpeg")},
    ).json()["faces"][0]
    assert face["status"] == "matched" and face["watchlist_kind"] == "visitor"
    log = client.get(
        "/api/v1/visitors", params={"school_id": kg["school_id"]}, headers=login("principal")
    ).json()
    assert log["total"] == 1


def test_visitor_on_key_list_is_denied_with_incident(client, login, kg, photo, face_pool) -> None:
    police = login("police")
    wid = client.post(
        "/api/v1/watchlists", json={"name": "重点人员", "kind": "key_person"}, headers=police
    ).json()["id"]
    r = client.post(
        f"/api/v1/watchlists/{wid}/persons",
        headers=police,
        data={"name": "Barack", "category": "violent_record", "legal_basis": "协查通报"},
        files=[("photo", ("o.jpg", photo("obama/1.jpg"), "image/jpeg"))],
    )
    assert r.status_code == 201, r.text
    r = _visit(client, login("guard"), kg, photo, "obama/2.jpg")
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "denied" and r.json()["screening"] == {
        "result": "denied",
        "checked_at": r.json()["screening"]["checked_at"],
    }
    alerts = client.get("/api/v1/face/alerts", params={"kind": "watchlist_hit"}, headers=police).json()
    assert alerts["total"] == 1 and alerts["items"][0]["incident_id"]


def test_gat1400_import_then_export(client, login, kg, photo, face_pool) -> None:
    police = login("police")
    wid = client.post(
        "/api/v1/watchlists", json={"name": "GA/T 1400", "kind": "key_person"}, headers=police
    ).json()["id"]
    body = {
        "FaceListObject": {
            "FaceObject": [
                {
                    "FaceID": "A1",
                    "Name": "Barack",
                    "CGCategory": "wanted",
                    "CGLegalBasis": "通报",
                    "SubImageList": {
                        "SubImageInfoObject": [
                            {
                                "Type": "11",
                                "FileFormat": "Jpeg",
                                "Data": base64.b64encode(photo("obama/1.jpg")).decode(),
                            }
                        ]
                    },
                },
                {
                    "FaceID": "A2",
                    "Name": "Nobody",
                    "CGLegalBasis": "通报",
                    "SubImageList": {
                        "SubImageInfoObject": [{"Type": "11", "Data": base64.b64encode(b"nope").decode()}]
                    },
                },
                {
                    "FaceID": "A3",
                    "Name": "Group",
                    "CGLegalBasis": "通报",
                    "SubImageList": {
                        "SubImageInfoObject": [
                            {
                                "Type": "11",
                                "Data": base64.b64encode(photo("_groups/kit_with_rose.jpg")).decode(),
                            }
                        ]
                    },
                },
            ]
        }
    }
    r = client.post(f"/api/v1/face/gat1400/watchlists/{wid}/Faces", json=body, headers=police)
    assert r.status_code == 200, r.text
    res = r.json()
    assert res["enrolled"] == 1 and [x["status"] for x in res["results"]] == [
        "enrolled",
        "rejected",
        "rejected",
    ]
    assert res["results"][2]["code"] == "multiple_faces"

    face = client.post(
        f"/api/v1/gates/{kg['device']}/captures",
        headers=kg["device_auth"],
        files={"image": ("o.jpg", photo("obama/2.jpg"), "image/jpeg")},
    ).json()["faces"][0]
    assert face["incident_id"]
    out = client.get("/api/v1/face/gat1400/Faces", params={"images": "true"}, headers=police).json()
    objs = out["FaceListObject"]["FaceObject"]
    assert len(objs) == 1 and objs[0]["Name"] == "Barack" and len(objs[0]["FaceID"]) == 48
    types = sorted(i["Type"] for i in objs[0]["SubImageList"]["SubImageInfoObject"])
    assert types == ["11", "14"]
    assert base64.b64decode(objs[0]["SubImageList"]["SubImageInfoObject"][0]["Data"]).startswith(b"\xff\xd8")
    assert client.get("/api/v1/face/gat1400/Faces", headers=login("principal")).status_code == 403
