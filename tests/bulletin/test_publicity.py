"""Bulletins targeted by region/school type/role with read rates; safety lessons; anonymous reports."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from campusguard.bulletin.models import AnonymousReport, ReportMessage
from campusguard.core.db import Database
from campusguard.core.models import AuditLog

KG = "440303001"


def test_bulletin_targeting_read_rate_attachments_lessons(
    seeded: dict[str, str], client: TestClient, login
) -> None:  # type: ignore[no-untyped-def]
    police, edu, parent, guard = login("police"), login("edu"), login("parent"), login("guard")
    liaison, police04, principal = login("liaison"), login("police04"), login("principal")
    dirty = (
        '<h2>防溺水</h2><p onclick="steal()">不私自下水<script>alert(1)</script></p>'
        '<a href="javascript:x">x</a>'
    )
    r = client.post(
        "/api/v1/bulletins",
        headers=police,
        json={
            "title": "暑期防溺水提醒",
            "category": "drowning",
            "body_html": dirty,
            "target_school_types": ["kindergarten"],
            "target_roles": ["parent", "school_admin", "guard"],
        },
    )
    assert r.status_code == 201, r.text
    b1 = r.json()
    assert b1["region_code"] == "440303"
    assert "script" not in b1["body_html"] and "onclick" not in b1["body_html"]
    assert "javascript" not in b1["body_html"] and b1["body_html"].startswith("<h2>防溺水</h2>")
    b2 = client.post(
        "/api/v1/bulletins",
        headers=edu,
        json={"title": "防范电信诈骗", "category": "anti_fraud", "body_html": "<p>不转账、不透露验证码</p>"},
    ).json()
    wrong = client.post(
        "/api/v1/bulletins",
        headers=police,
        json={"title": "x", "category": "fire", "body_html": "<p>x</p>", "target_districts": ["440304"]},
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "out_of_scope"
    assert (
        client.post(
            "/api/v1/bulletins",
            headers=parent,
            json={"title": "x", "category": "fire", "body_html": "<p>x</p>"},
        ).status_code
        == 403
    )
    empty = client.post(
        "/api/v1/bulletins",
        headers=police,
        json={"title": "x", "category": "fire", "body_html": "<script>only()</script>"},
    )
    assert empty.status_code == 400

    def titles(h: dict[str, str]) -> set[str]:
        r = client.get("/api/v1/bulletins", headers=h)
        assert r.status_code == 200, r.text
        return {b["title"] for b in r.json()["items"]}

    assert titles(parent) == titles(guard) == {"暑期防溺水提醒", "防范电信诈骗"}
    assert titles(liaison) == {"防范电信诈骗"}  # officers are not in the first bulletin's roles
    assert titles(police04) == {"防范电信诈骗"}  # another district
    assert titles(police) == {"暑期防溺水提醒", "防范电信诈骗"}  # its own, plus the city's

    assert client.post(f"/api/v1/bulletins/{b1['id']}/read", headers=parent).status_code == 200
    assert client.post(f"/api/v1/bulletins/{b1['id']}/read", headers=parent).status_code == 200  # once
    assert client.post(f"/api/v1/bulletins/{b1['id']}/read", headers=police04).status_code == 404
    listed = client.get("/api/v1/bulletins", headers=parent).json()["items"]
    assert {b["id"]: b["read"] for b in listed} == {b1["id"]: True, b2["id"]: False}
    stats = client.get(f"/api/v1/bulletins/{b1['id']}/stats", headers=police).json()
    # the kindergarten's parent, principal and guard are the audience; its operator is not targeted
    assert stats["audience"] == 3 and stats["read"] == 1 and stats["read_rate"] == round(1 / 3, 4)
    assert stats["by_role"]["parent"] == {"audience": 1, "read": 1, "read_rate": 1.0}
    city = client.get(f"/api/v1/bulletins/{b2['id']}/stats", headers=edu).json()
    assert city["audience"] >= 9 and city["read"] == 0  # every seeded person-user of the city

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    att = client.post(
        f"/api/v1/bulletins/{b1['id']}/attachments",
        headers=police,
        files={"file": ("防溺水.pdf", pdf, "application/pdf")},
    )
    assert att.status_code == 201 and att.json()["content_type"] == "application/pdf", att.text
    exe = client.post(
        f"/api/v1/bulletins/{b1['id']}/attachments",
        headers=police,
        files={"file": ("a.pdf", b"MZ\x90\x00evil", "application/pdf")},
    )
    assert exe.status_code == 415
    big = client.post(
        f"/api/v1/bulletins/{b1['id']}/attachments",
        headers=police,
        files={"file": ("a.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf")},
    )
    assert big.status_code == 413
    got = client.get(f"/api/v1/bulletins/{b1['id']}/attachments/{att.json()['id']}", headers=parent)
    assert got.status_code == 200 and got.content == pdf

    school_id = client.get("/api/v1/schools", headers=principal).json()["items"][0]["id"]
    lesson = client.post(
        "/api/v1/safety-lessons",
        headers=principal,
        json={
            "school_id": school_id,
            "topic": "anti_bullying",
            "title": "拒绝校园欺凌",
            "teacher": "王老师",
            "given_at": "2026-11-20T02:00:00+00:00",
            "classes": "大一班",
            "attendees": 32,
        },
    )
    assert lesson.status_code == 201, lesson.text
    assert client.get("/api/v1/safety-lessons", headers=police).json()["total"] == 1
    assert client.get("/api/v1/safety-lessons", headers=police04).json()["total"] == 0
    assert client.post("/api/v1/safety-lessons", headers=guard, json={}).status_code == 403


def test_anonymous_report_without_login_and_without_trace(
    seeded: dict[str, str], client: TestClient, db: Database, login
) -> None:  # type: ignore[no-untyped-def]
    text = "三年级有同学在厕所被高年级同学多次推搡和勒索零花钱。"
    r = client.post(
        "/api/v1/reports",
        json={"school_code": KG, "category": "bullying", "description": text},
        headers={"User-Agent": "UA-FINGERPRINT-42", "X-Forwarded-For": "203.0.113.77"},
    )
    assert r.status_code == 201, r.text
    case, code = r.json()["case_number"], r.json()["follow_up_code"]
    assert case.startswith("AR") and len(code) >= 12
    # nothing about the reporter is stored: no address, no agent, no account, in any row we wrote
    with db.session() as s:
        report = s.scalars(select(AnonymousReport).where(AnonymousReport.case_number == case)).one()
        assert report.code_hash != code and len(report.code_hash) == 64
        stored = [repr(vars(report)), *(repr(vars(m)) for m in s.scalars(select(ReportMessage)))]
        audits = s.scalars(select(AuditLog).where(AuditLog.action.like("report.%"))).all()
        assert [a.actor for a in audits] == ["anonymous"]
        assert all(a.ip is None and a.actor_id is None and a.request_id is None for a in audits)
        stored += [repr(a.detail) for a in audits]
    for trace in ("testclient", "UA-FINGERPRINT-42", "203.0.113.77"):
        assert not any(trace in row for row in stored), trace

    wrong = client.post("/api/v1/reports/follow-up", json={"case_number": case, "code": "guess"})
    assert wrong.status_code == 404
    view = client.post("/api/v1/reports/follow-up", json={"case_number": case.lower(), "code": code}).json()
    assert view["status"] == "received" and view["messages"][0]["body"] == text

    principal, liaison, police04 = login("principal"), login("liaison"), login("police04")
    mine = client.get("/api/v1/reports", headers=principal).json()
    assert mine["total"] == 1 and mine["items"][0]["case_number"] == case
    assert client.get("/api/v1/reports", headers=police04).json()["total"] == 0
    assert client.get("/api/v1/reports", headers=login("guard")).status_code == 403
    rid = mine["items"][0]["id"]
    assert client.get(f"/api/v1/reports/{rid}", headers=police04).status_code == 404
    replied = client.post(
        f"/api/v1/reports/{rid}/reply",
        headers=liaison,
        json={"body": "已收到，学校和法制副校长正在处理，请保持联系。"},
    )
    assert replied.status_code == 200 and replied.json()["status"] == "handling"
    added = client.post(
        "/api/v1/reports/follow-up/messages",
        json={"case_number": case, "code": code, "body": "今天中午又发生了一次。"},
    )
    assert added.status_code == 201
    view = client.post("/api/v1/reports/follow-up", json={"case_number": case, "code": code}).json()
    assert view["status"] == "handling"
    assert [(m["author"], m["role"]) for m in view["messages"]] == [
        ("reporter", None),
        ("handler", "liaison_officer"),
        ("reporter", None),
    ]

    bad = client.post(
        "/api/v1/reports", json={"school_code": "nope", "category": "bullying", "description": "x" * 20}
    )
    assert bad.status_code == 422
    short = client.post(
        "/api/v1/reports", json={"school_code": KG, "category": "bullying", "description": "x"}
    )
    assert short.status_code == 422
    codes = [
        client.post(
            "/api/v1/reports",
            json={"school_code": KG, "category": "other", "description": "测试限流的匿名举报内容。"},
        ).status_code
        for _ in range(6)
    ]
    assert 429 in codes and codes.count(201) == 3  # 5 per 10 minutes per connection, counting the first two
