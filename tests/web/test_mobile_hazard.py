"""A hazard from report to verification on phones (Debian chromium, 390x844) against `campusguard demo`."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from .conftest import DemoServer, field, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _jpeg(path: Path, color: tuple[int, int, int]) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), color).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def _phone(browser: Any, where: tuple[float, float] | None = None) -> Any:
    kwargs: dict[str, Any] = {"viewport": PHONE, "is_mobile": True, "has_touch": True, "locale": "zh-CN"}
    if where is not None:
        kwargs["geolocation"] = {"latitude": where[0], "longitude": where[1], "accuracy": 15}
        kwargs["permissions"] = ["geolocation"]
    ctx = browser.new_context(**kwargs)
    ctx.set_default_timeout(45_000)  # shared machine: patient, never flaky
    return ctx


def _status(page: Any, status: str) -> None:
    page.wait_for_selector(f"[data-test=hazard-status][data-status={status}]")


def test_hazard_report_assign_rectify_verify_on_phones(
    browser: Any, demo_server: DemoServer, shots_dir: Path, tmp_path: Path
) -> None:
    guard_api = demo_server.api("guard")
    school = guard_api.get("/schools", params={"limit": 1}).json()["items"][0]
    errors: list[str] = []

    # 1. the guard reports from the phone: category, severity, description, camera photo, GPS
    guard = _phone(browser, (school["lat"], school["lon"]))
    page = guard.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "guard", "/m/hazards/new")
    page.wait_for_selector("[data-test=hazard-gps]:has-text('±')")
    page.click("[data-test=hazard-category] >> text=用电")
    page.click("[data-test=severity-high]")
    page.fill(field("hazard-description", "textarea"), "配电房门锁损坏，电箱裸露（浏览器测试）")
    page.set_input_files("[data-test=hazard-photo-input]", str(_jpeg(tmp_path / "scene.jpg", (200, 40, 40))))
    page.wait_for_selector(".thumb img")
    page.screenshot(path=str(shots_dir / "hazard-1-report.png"), full_page=True)
    page.click("[data-test=hazard-submit]")
    page.wait_for_url(re.compile(r"/m/hazards/\d+$"))
    hid = int(page.url.rsplit("/", 1)[1])
    _status(page, "reported")
    page.wait_for_selector("[data-test=hazard-photo-report]")
    page.screenshot(path=str(shots_dir / "hazard-2-reported.png"), full_page=True)
    created = guard_api.get(f"/hazards/{hid}").json()
    assert created["severity"] == "high" and created["category"] == "electrical" and created["source"] == "app"
    assert created["lat"] is not None and len(created["photos"]) == 1
    assert page.locator("[data-test=hazard-actions]").count() == 0  # a guard cannot assign

    # 2. the school's safety officer assigns it; the deadline follows the severity
    admin = _phone(browser)
    apage = admin.new_page()
    apage.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(apage, demo_server, "school_admin", f"/m/hazards/{hid}")
    apage.fill(field("hazard-assignee", "input"), "后勤主任")
    apage.click("[data-test=hazard-action-assign]")
    _status(apage, "assigned")
    apage.screenshot(path=str(shots_dir / "hazard-3-assigned.png"), full_page=True)

    # 3. the guard rectifies with photo evidence
    page.reload()
    _status(page, "assigned")
    page.set_input_files("[data-test=hazard-evidence-input]", str(_jpeg(tmp_path / "fixed.jpg", (40, 160, 60))))
    page.wait_for_selector("[data-test=hazard-photo-rectification]")
    page.fill(field("hazard-note", "textarea"), "已更换门锁并加装电箱防护罩")
    page.click("[data-test=hazard-action-rectify]")
    _status(page, "rectified")
    page.screenshot(path=str(shots_dir / "hazard-4-rectified.png"), full_page=True)

    # 4. the liaison officer verifies and closes it
    liaison = _phone(browser)
    lpage = liaison.new_page()
    lpage.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(lpage, demo_server, "liaison_officer", f"/m/hazards/{hid}")
    lpage.fill(field("hazard-verify-note", "input"), "复查合格")
    lpage.click("[data-test=hazard-action-verify]")
    _status(lpage, "verified")
    lpage.screenshot(path=str(shots_dir / "hazard-5-verified.png"), full_page=True)

    final = guard_api.get(f"/hazards/{hid}").json()
    assert final["status"] == "verified" and final["assignee_name"] == "后勤主任"
    assert [h["action"] for h in final["history"]] == ["report", "assign", "rectify", "verify"]
    assert {p["stage"] for p in final["photos"]} == {"report", "rectification"}
    assert not errors, errors
    for ctx in (guard, admin, liaison):
        ctx.close()


def test_offline_report_is_queued_and_sent_once(browser: Any, demo_server: DemoServer, shots_dir: Path,
                                                tmp_path: Path) -> None:
    api = demo_server.api("guard")
    before = api.get("/hazards", params={"q": "离线上报测试", "limit": 5}).json()["total"]
    ctx = _phone(browser)
    page = ctx.new_page()
    sign_in(page, demo_server, "guard", "/m/hazards/new")
    page.click("[data-test=hazard-category] >> text=周界防护")
    page.fill(field("hazard-description", "textarea"), "离线上报测试：后门围栏松动")
    page.set_input_files("[data-test=hazard-photo-input]", str(_jpeg(tmp_path / "fence.jpg", (90, 90, 200))))
    page.wait_for_selector(".thumb img")
    page.wait_for_function("document.querySelector('[data-test=hazard-submit]').disabled === false")
    ctx.set_offline(True)
    page.click("[data-test=hazard-submit]")
    page.wait_for_selector("[data-test=hazard-pending]:has-text('离线上报待发送')")
    page.screenshot(path=str(shots_dir / "hazard-6-offline-queued.png"), full_page=True)
    assert api.get("/hazards", params={"q": "离线上报测试"}).json()["total"] == before
    ctx.set_offline(False)  # the 'online' event flushes the queue
    page.wait_for_selector("[data-test=hazard-pending]", state="detached")
    page.goto(demo_server.base_url + "/m/hazards")  # a fresh start flushes again: must not duplicate
    page.wait_for_selector("[data-test=hazard-list]")
    after = api.get("/hazards", params={"q": "离线上报测试"}).json()
    assert after["total"] == before + 1
    sent = api.get(f"/hazards/{after['items'][0]['id']}").json()
    assert sent["source"] == "app" and len(sent["photos"]) == 1
    ctx.close()


def test_liaison_checks_in_on_site_and_console_views_render(browser: Any, demo_server: DemoServer,
                                                             shots_dir: Path) -> None:
    api = demo_server.api("liaison_officer")
    task = api.get("/tasks", params={"mine": True, "status": "open", "kind": "inspection"}).json()["items"][0]
    school = api.get(f"/schools/{task['school_id']}").json()
    errors: list[str] = []

    # on the phone, at the school gate: the GPS check-in is accepted with its distance
    phone = _phone(browser, (school["lat"] + 0.0002, school["lon"]))
    page = phone.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "liaison_officer", f"/m/tasks/{task['id']}")
    page.click("[data-test=task-checkin]")
    page.wait_for_selector("[data-test=task-status]:has-text('已到场')")
    page.fill(field("task-findings", "textarea"), "门卫室值守正常，消防通道畅通")
    page.click("[data-test=task-complete]")
    page.wait_for_selector("[data-test=task-status]:has-text('已完成')")
    page.screenshot(path=str(shots_dir / "task-1-done.png"), full_page=True)
    done = api.get(f"/tasks/{task['id']}").json()
    assert done["status"] == "done" and done["checkin_distance_m"] is not None and done["checkin_distance_m"] < 100

    # an inspection run on the phone: the failed item opens a hazard
    page.goto(demo_server.base_url + "/m/hazards/inspection")
    page.click("[data-test=hazard-inspection] .el-select")
    page.click(f".el-select-dropdown__item:has-text('{school['name']}')")
    page.click("[data-test=check-FIRE-02]")
    page.click("[data-test=hazard-inspection] .submit")
    page.wait_for_selector(".el-result")
    page.screenshot(path=str(shots_dir / "inspection-done.png"), full_page=True)
    runs = api.get("/hazards/inspections", params={"school_id": school["id"]}).json()["items"]
    assert runs and runs[0]["failed"] == 1 and len(runs[0]["hazard_ids"]) == 1
    phone.close()

    # the district console: hazards, statistics, tasks and drills render with data
    desk = browser.new_context(viewport={"width": 1440, "height": 900})
    desk.set_default_timeout(45_000)
    dpage = desk.new_page()
    dpage.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(dpage, demo_server, "district_police", "/hazards/stats")
    dpage.wait_for_selector("[data-test=hazard-stats] .el-table__row")
    dpage.screenshot(path=str(shots_dir / "console-hazard-stats.png"), full_page=True)
    for path, marker in (("/hazards", "[data-test=hazard-list] .el-table__row"),
                         ("/tasks", "[data-test=task-list] .el-table__row"),
                         ("/drills", "[data-test=drill-list] .card")):
        dpage.goto(demo_server.base_url + path)
        dpage.wait_for_selector(marker)
        dpage.screenshot(path=str(shots_dir / f"console{path.replace('/', '-')}.png"), full_page=True)
    desk.close()
    assert not errors, errors
