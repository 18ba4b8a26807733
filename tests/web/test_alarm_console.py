"""The alarm console in Debian chromium against `campusguard demo`: live pop-up, desktop handling, phone ack.

The browser, demo_server and shots_dir fixtures come from tests/web/conftest.py (one Playwright session, one
demo per module). Every step waits for the state it needs (socket open, pop-up shown, status changed), never a
fixed time: the pop-ups of the incident on screen are closed by the page, so none covers its action buttons.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.web.conftest import DemoServer, sign_in

pytestmark = pytest.mark.browser


def test_pop_up_desktop_handling_and_phone_ack(
    browser: Any,
    demo_server: DemoServer,
    shots_dir: Path,
) -> None:
    op_api = demo_server.api("operator")
    school_id = op_api.get("/schools", params={"limit": 1}).json()["items"][0]["id"]
    errors: list[str] = []

    # 1. the monitoring room sees a new alarm pop up live and opens it from the pop-up
    desk = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    desk.set_default_timeout(45_000)
    page = desk.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "operator", "/alarm")
    page.wait_for_selector("[data-test=alarm-table]")
    page.wait_for_selector("[data-test=ws-status][data-status=open]")  # live before the alarm is raised
    first = op_api.post("/incidents", json={"school_id": school_id, "type": "fire"}).json()
    popup = page.locator(".cg-alarm-notification", has_text=first["title"]).first
    popup.wait_for()
    page.screenshot(path=str(shots_dir / "alarm-1-popup.png"))
    popup.click()
    page.wait_for_url(re.compile(rf"/alarm/incidents/{first['id']}$"))
    page.wait_for_selector("[data-test=incident-status][data-status=raised]")
    # its own pop-ups (raised, escalated) are gone: none lies over the action buttons
    expect_gone = page.locator(".cg-alarm-notification", has_text=f"#{first['id']} ")
    expect_gone.first.wait_for(state="detached")
    popup.wait_for(state="detached")
    page.wait_for_selector("[data-test=incident-checklist-item]")

    # 2. acknowledge, tick the plan's first step, dispatch, arrive, resolve as a false alarm
    page.click("[data-test=incident-ack]")
    page.wait_for_selector("[data-test=incident-status][data-status=acknowledged]")
    page.locator("[data-test=incident-checklist-item] .el-checkbox").first.click()
    page.wait_for_selector("[data-test=incident-checklist-item] .is-checked")
    page.click("[data-test=incident-dispatch]")
    page.wait_for_selector("[data-test=incident-status][data-status=dispatched]")
    page.click("[data-test=incident-arrive]")
    page.wait_for_selector("[data-test=incident-status][data-status=on_scene]")
    page.click("[data-test=incident-outcome]")
    page.locator(".el-select-dropdown__item", has_text="误报").click()
    page.click("[data-test=incident-resolve]")
    page.wait_for_selector("[data-test=incident-status][data-status=resolved]")
    page.screenshot(path=str(shots_dir / "alarm-2-resolved.png"), full_page=True)
    done = op_api.get(f"/incidents/{first['id']}").json()
    assert done["status"] == "resolved" and done["outcome"] == "false_alarm"
    assert done["checklist"][0]["done"] is True
    moves = [s["to_status"] for s in done["timeline"] if s["to_status"]]
    assert moves == ["raised", "acknowledged", "dispatched", "on_scene", "resolved"]
    assert "checklist" in [s["action"] for s in done["timeline"]]

    # 3. the liaison officer acknowledges a new alarm from the phone
    second = op_api.post("/incidents", json={"school_id": school_id, "type": "panic"}).json()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    phone.set_default_timeout(45_000)
    mpage = phone.new_page()
    mpage.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(mpage, demo_server, "liaison_officer", "/m/alarm")
    card = mpage.locator(f"[data-test=alarm-card][data-incident='{second['id']}']")
    card.locator("[data-test=alarm-ack]").click()
    card.locator("[data-test=alarm-ack]").wait_for(state="detached")
    mpage.screenshot(path=str(shots_dir / "alarm-3-phone.png"))
    acked = op_api.get(f"/incidents/{second['id']}").json()
    assert acked["status"] == "acknowledged" and acked["acknowledged_by"].endswith(
        demo_server.logins["liaison_officer"][0]
    )
    assert not errors, errors
