"""Daily operations on a phone (Debian chromium, 390x844): a school keeps its own inspection checklist, the district
plans recurring liaison tasks, and a guard whose browser has no BarcodeDetector checks in by typed short code and by
a photo of the QR code (decoded by jsQR)."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pytest
import segno

from .conftest import DemoServer, field, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
HIDE_ALARM_POPUPS = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style')
  style.textContent = '.cg-alarm-notification { display: none !important }'
  document.head.appendChild(style)
})"""
# Firefox and older iOS Safari have no BarcodeDetector: take it away so the jsQR path is the one exercised.
NO_BARCODE_DETECTOR = "try { delete window.BarcodeDetector } catch (e) {}"


def _phone(browser: Any, **extra: Any) -> Any:
    ctx = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN", **extra)
    ctx.set_default_timeout(45_000)  # the machine is shared: be patient, never flaky
    ctx.add_init_script(HIDE_ALARM_POPUPS)
    return ctx


def _choose(page: Any, select: str, option_text: str) -> None:
    """Open an Element Plus select and click the visible option containing `option_text`."""
    page.click(f"[data-test={select}]")
    page.locator(".el-select-dropdown__item:visible", has_text=option_text).first.click()


def _check_in(page: Any, text: str) -> str:
    page.fill(field("token-input", "input"), text)
    page.click("[data-test=checkin-submit]")
    return str(page.wait_for_selector("[data-test=checkin-result]").inner_text())


def test_guard_checks_in_without_barcode_detector(browser: Any, demo_server: DemoServer, shots_dir: Path,
                                                 tmp_path: Path) -> None:
    officer, guard_api = demo_server.api("school_admin"), demo_server.api("guard")
    duty = guard_api.get("/patrol/duty").json()
    assert duty["shift"] and len(duty["stops"]) >= 2, duty
    cps = {c["id"]: c for c in officer.get("/patrol/checkpoints", params={"limit": 500}).json()["items"]}
    first, second = (cps[s["checkpoint_id"]] for s in duty["stops"][:2])
    codes = {cp["id"]: officer.get(f"/patrol/checkpoints/{cp['id']}/token").json() for cp in (first, second)}
    errors: list[str] = []
    ctx = _phone(browser, geolocation={"latitude": first["lat"], "longitude": first["lon"], "accuracy": 8},
                 permissions=["geolocation"])
    ctx.add_init_script(NO_BARCODE_DETECTOR)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "guard", "/m/duty")
    page.wait_for_selector("[data-test=stop-1][data-status=pending]")
    assert page.evaluate("'BarcodeDetector' in window") is False
    assert page.is_visible("[data-test=code-photo]") or page.locator("[data-test=code-photo]").count() == 1

    # a mistyped short code is refused (and recorded); the right one, typed loosely, checks in
    short = codes[first["id"]]["short_code"]
    cp_id, digits = short.split("-")
    wrong = f"{cp_id}-{(int(digits) + 7) % 1_000_000:06d}"
    assert "拒绝" in _check_in(page, wrong)
    assert "打卡成功" in _check_in(page, f"{cp_id} - {digits[:3]} {digits[3:]}")
    page.wait_for_selector("[data-test=stop-1][data-status=done]")

    # at the next checkpoint: a photo of the printed QR code, decoded in the page by jsQR
    ctx.set_geolocation({"latitude": second["lat"] + 0.00003, "longitude": second["lon"], "accuracy": 8})
    png = tmp_path / "qr.png"
    segno.make(codes[second["id"]]["token"], error="m").save(str(png), scale=6, border=4)
    page.set_input_files("[data-test=code-photo]", str(png))
    result = page.wait_for_selector("[data-test=checkin-result]:has-text('打卡成功')")
    assert result is not None
    page.wait_for_selector("[data-test=stop-2][data-status=done]")
    page.screenshot(path=str(shots_dir / "daily-1-typed-code.png"), full_page=True)

    checkins = officer.get("/patrol/checkins").json()["items"]
    assert sorted(c["checkpoint_id"] for c in checkins) == sorted([first["id"], second["id"]])
    kinds = [a["kind"] for a in officer.get("/patrol/anomalies").json()["items"]]
    assert kinds.count("forged_token") == 1
    assert errors == []
    ctx.close()


def test_school_keeps_its_own_checklist_on_a_phone(browser: Any, demo_server: DemoServer, shots_dir: Path) -> None:
    principal = demo_server.api("school_admin")
    name = f"晨检-{uuid.uuid4().hex[:4]}"
    errors: list[str] = []
    ctx = _phone(browser)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "school_admin", "/hazards/checklists")
    page.wait_for_selector("[data-test=checklist-table] .el-table__row")

    page.click("[data-test=checklist-new]")
    page.wait_for_selector("[data-test=checklist-form]")
    page.fill(field("checklist-name", "input"), name)
    page.fill(field("item-text-0", "textarea"), "校门口值守到位")
    page.click("[data-test=checklist-add-item]")
    page.fill(field("item-text-1", "textarea"), "消防通道畅通")
    _choose(page, "item-severity-1", "特别重大")
    page.click("[data-test=item-up-1]")  # the fire route is checked first
    page.screenshot(path=str(shots_dir / "daily-2-checklist-form.png"), full_page=True)
    page.click("[data-test=checklist-save]")
    page.wait_for_selector("[data-test=checklist-form]", state="hidden")

    listed = principal.get("/hazards/checklists", params={"include_inactive": True}).json()["items"]
    tpl = next(t for t in listed if t["name"] == name)
    assert tpl["scope_key"].startswith("school:") and tpl["version"] == 1 and tpl["editable"]
    assert [(i["text"], i["severity"]) for i in tpl["items"]] == [("消防通道畅通", "critical"),
                                                                 ("校门口值守到位", "medium")]

    # edit: drop the gate item -> version 2
    page.click(f"[data-test=checklist-edit-{tpl['id']}]")
    page.wait_for_selector("[data-test=checklist-form]")
    page.click("[data-test=item-remove-1]")
    page.click("[data-test=checklist-save]")
    page.wait_for_selector("[data-test=checklist-form]", state="hidden")
    after = principal.get(f"/hazards/checklists/{tpl['id']}").json()
    assert after["version"] == 2 and [i["text"] for i in after["items"]] == ["消防通道畅通"]

    # switch it off from the list
    page.click(f"[data-test=checklist-toggle-{tpl['id']}]")
    page.wait_for_function(
        "id => !document.querySelector(`[data-test=checklist-toggle-${id}]`)?.classList.contains('is-checked')",
        arg=tpl["id"])
    assert principal.get(f"/hazards/checklists/{tpl['id']}").json()["active"] is False
    assert errors == []
    ctx.close()


def test_district_plans_recurring_tasks(browser: Any, demo_server: DemoServer, shots_dir: Path) -> None:
    police = demo_server.api("district_police")
    schools = police.get("/schools", params={"limit": 2}).json()["items"]
    title = f"每周护学岗督导-{uuid.uuid4().hex[:4]}"
    errors: list[str] = []
    ctx = _phone(browser)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "district_police", "/tasks/rules")
    page.wait_for_selector("[data-test=rule-table]")

    page.click("[data-test=rule-new]")
    page.wait_for_selector("[data-test=rule-form]")
    for s in schools:
        _choose(page, "rule-schools", s["name"])
    page.keyboard.press("Escape")
    _choose(page, "rule-kind", "护学巡逻督导")
    page.fill(field("rule-title", "input"), title)
    page.click("[data-test=rule-form] .el-radio-button:has-text('周')")
    page.click("[data-test=rule-save]")
    page.wait_for_selector("[data-test=rule-form]", state="hidden")

    rules = [r for r in police.get("/tasks/rules", params={"limit": 100}).json()["items"] if r["title"] == title]
    assert sorted(r["school_code"] for r in rules) == sorted(s["code"] for s in schools)
    assert all(r["kind"] == "patrol_supervision" and r["frequency"] == "weekly" and r["active"] for r in rules)
    page.wait_for_selector(f"[data-test=rule-row-{rules[0]['id']}]")

    # every two weeks for the first school; the second one paused
    first, second = rules
    page.click(f"[data-test=rule-edit-{first['id']}]")
    page.wait_for_selector("[data-test=rule-form]")
    page.fill(field("rule-interval", "input"), "2")
    page.keyboard.press("Tab")
    page.click("[data-test=rule-save]")
    page.wait_for_selector("[data-test=rule-form]", state="hidden")
    assert police.get(f"/tasks/rules/{first['id']}").json()["interval"] == 2
    page.click(f"[data-test=rule-toggle-{second['id']}]")
    page.wait_for_function(
        "id => !document.querySelector(`[data-test=rule-toggle-${id}]`)?.classList.contains('is-checked')",
        arg=second["id"])
    assert police.get(f"/tasks/rules/{second['id']}").json()["active"] is False
    assert re.search(r"每 2 周", page.inner_text(f"tr:has([data-test=rule-row-{first['id']}])"))
    page.screenshot(path=str(shots_dir / "daily-3-rules.png"), full_page=True)
    assert errors == []
    ctx.close()
