"""Administration in a real browser: create and disable a user, register a device and use its token, import a roster."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import DemoServer, field, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
KG = "440303001"


# The demo city raises and escalates incidents on its own; their pop-ups stay until handled (by design, see
# tests/web/test_alarm_console.py) and would cover the buttons this administration walk clicks.
HIDE_ALARM_POPUPS = """document.addEventListener('DOMContentLoaded', () => {
  const style = document.createElement('style')
  style.textContent = '.cg-alarm-notification { display: none !important }'
  document.head.appendChild(style)
})"""


def _context(browser: Any) -> Any:
    ctx = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    ctx.set_default_timeout(45_000)  # the machine is shared: be patient, never flaky
    ctx.add_init_script(HIDE_ALARM_POPUPS)
    return ctx


def _choose(page: Any, select: str, option_text: str) -> None:
    """Open an Element Plus select and click the visible option containing `option_text`."""
    page.click(f"[data-test={select}]")
    page.locator(".el-select-dropdown__item:visible", has_text=option_text).first.click()


def test_admin_creates_edits_and_disables_a_user(browser: Any, demo_server: DemoServer) -> None:
    username = f"op{uuid.uuid4().hex[:6]}"
    ctx = _context(browser)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/users")
    page.click("[data-test=user-new]")
    page.fill(field("user-username", "input"), username)
    page.fill(field("user-display-name", "input"), "值班员测试")
    _choose(page, "user-schools", f"({KG})")
    page.keyboard.press("Escape")
    page.fill(field("user-password", "input"), "Op-pass-2026-x")
    page.click("[data-test=user-save]")
    row = page.locator(".el-table__row", has_text=username)
    row.wait_for()
    assert "值班员" in row.inner_text()  # role shown in Chinese

    # the new account really works: it can sign in and sees only its school
    r = httpx.post(f"{demo_server.base_url}/api/v1/auth/token", data={"username": username,
                                                                      "password": "Op-pass-2026-x"}, timeout=60)
    assert r.status_code == 200, r.text
    me = httpx.get(f"{demo_server.base_url}/api/v1/me", timeout=60,
                   headers={"Authorization": f"Bearer {r.json()['access_token']}"}).json()
    assert me["role"] == "operator" and me["school_codes"] == [KG]

    # disable it from the console: signing in is refused afterwards
    page.click(f"[data-test=user-edit-{username}]")
    page.click("[data-test=user-active]")
    page.click("[data-test=user-save]")
    page.locator(".el-table__row", has_text=username).filter(has_text="已停用").wait_for()
    r = httpx.post(f"{demo_server.base_url}/api/v1/auth/token", data={"username": username,
                                                                      "password": "Op-pass-2026-x"}, timeout=60)
    assert r.status_code in (401, 403), r.text

    # a duplicate username is refused with the server's reason, nothing else changes
    page.click("[data-test=user-new]")
    page.fill(field("user-username", "input"), username)
    page.fill(field("user-display-name", "input"), "重复")
    _choose(page, "user-schools", f"({KG})")
    page.keyboard.press("Escape")
    page.fill(field("user-password", "input"), "Op-pass-2026-x")
    page.click("[data-test=user-save]")
    page.locator("[data-test=user-error]").wait_for()
    ctx.close()


def test_admin_registers_a_device_and_its_token_works(browser: Any, demo_server: DemoServer) -> None:
    code = f"BTN-TEST-{uuid.uuid4().hex[:6].upper()}"
    ctx = _context(browser)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/devices")
    page.click("[data-test=device-new]")
    _choose(page, "device-form-school", f"({KG})")
    page.fill(field("device-form-code", "input"), code)
    page.fill(field("device-form-name", "input"), "测试一键报警")
    page.click("[data-test=device-save]")
    # registering offers the token at once (it revokes none yet): confirm, then read it once
    page.locator(".el-message-box__btns .el-button--primary").click()
    token_input = page.locator(field("device-token", "input")).first
    token_input.wait_for()
    token = token_input.input_value()
    assert token.startswith("cgd_"), token

    event = {"type": "heartbeat", "ts": datetime.now(UTC).isoformat(), "seq": 1}
    r = httpx.post(f"{demo_server.base_url}/api/v1/devices/{code}/events", json=event, timeout=60,
                   headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 202, r.text
    r = httpx.post(f"{demo_server.base_url}/api/v1/devices/{code}/events", json=event, timeout=60,
                   headers={"Authorization": "Bearer cgd_not-a-real-token"})
    assert r.status_code == 401, r.text
    ctx.close()


def test_roster_import_is_all_or_nothing(browser: Any, demo_server: DemoServer, tmp_path: Path) -> None:
    tag = uuid.uuid4().hex[:6]
    good = f"{KG},王小明{tag},学生,大一班,S{tag}1,,\r\n"
    bad = f"{KG},,学生,大一班,S{tag}2,,\r\n"  # no name
    header = "所属学校,姓名,人员类别,班级,学号,电话,监护对象学号\r\n"
    broken = tmp_path / "roster-broken.csv"
    broken.write_bytes(("\ufeff" + header + good + bad).encode("utf-8"))
    fixed = tmp_path / "roster.csv"
    fixed.write_bytes(("\ufeff" + header + good + bad.replace(",,学生", f",王小红{tag},学生")).encode("utf-8"))

    api = demo_server.api("city_admin")
    before = api.get("/people", params={"q": tag, "limit": 50}).json()["total"]

    ctx = _context(browser)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/org-import")
    page.click("[data-test=import-kind-people]")
    page.set_input_files("[data-test=import-file]", str(broken))
    page.click("[data-test=import-run]")
    page.locator("[data-test=import-rejected]").wait_for()
    errors = page.locator("[data-test=import-errors] .el-table__row")
    assert errors.count() == 1 and "3" in errors.first.inner_text()  # line 3 of the file: the nameless row
    assert api.get("/people", params={"q": tag, "limit": 50}).json()["total"] == before

    page.set_input_files("[data-test=import-file]", str(fixed))
    page.click("[data-test=import-check]")
    page.locator("[data-test=import-checked]").wait_for()
    assert api.get("/people", params={"q": tag, "limit": 50}).json()["total"] == before
    page.click("[data-test=import-run]")
    page.locator("[data-test=import-committed]").wait_for()
    assert api.get("/people", params={"q": tag, "limit": 50}).json()["total"] == before + 2
    ctx.close()


PHONE = {"width": 390, "height": 844}


def _school_by_code(api: httpx.Client, code: str) -> dict[str, Any]:
    found = api.get("/schools", params={"q": code, "limit": 5}).json()["items"]
    assert [s["code"] for s in found] == [code], found
    return dict(api.get(f"/schools/{found[0]['id']}").json())


def _window_input(n: int, end: str) -> str:
    scope = f"[data-test=school-window-{n}]"
    return f"{scope} input[data-test=window-{end}], {scope} [data-test=window-{end}] input"


def test_city_creates_a_kindergarten_and_the_district_edits_it_on_a_phone(browser: Any, demo_server: DemoServer,
                                                                          shots_dir: Path) -> None:
    code = f"440303{uuid.uuid4().int % 1000:03d}X"
    ctx = _context(browser)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/org")
    page.click("[data-test=school-create]")
    page.fill(field("school-code", "input"), code)
    page.fill(field("school-name", "input"), "罗湖区测试幼儿园")
    _choose(page, "school-type", "幼儿园")
    _choose(page, "school-district", "(440303)")
    page.fill(field("school-address", "input"), "罗湖区东门路 8 号")
    page.fill(field("school-lat", "input"), "22.548")
    page.fill(field("school-lon", "input"), "114.118")
    page.fill(field("school-principal", "input"), "王园长")
    page.fill(field("school-phone", "input"), "0755-82000008")
    page.click("[data-test=school-window-add]")  # 08:30–11:30, Monday to Friday
    page.fill(_window_input(0, "end"), "11:00")
    page.screenshot(path=str(shots_dir / "school-create-desktop.png"))
    page.click("[data-test=school-save]")
    page.wait_for_url(re.compile(r"/org/schools/\d+$"))
    page.locator("[data-test=school-live-view]", has_text="08:30–11:00").wait_for()
    city = demo_server.api("city_admin")
    school = _school_by_code(city, code)
    assert school["type"] == "kindergarten" and school["district_code"] == "440303"
    assert school["principal_name"] == "王园长" and school["phone"] == "0755-82000008"
    assert abs(school["lat"] - 22.548) < 1e-6 and abs(school["lon"] - 114.118) < 1e-6
    assert school["live_view_windows"] == [["08:30", "11:00"]] and school["live_view_days"] == [1, 2, 3, 4, 5]
    ctx.close()

    # the district's police edit it from a phone: the form fills the screen, Saturday is added
    phone = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    phone.set_default_timeout(45_000)
    phone.add_init_script(HIDE_ALARM_POPUPS)
    mpage = phone.new_page()
    sign_in(mpage, demo_server, "district_police", f"/org/schools/{school['id']}")
    mpage.click("[data-test=school-edit]")
    dialog = mpage.locator(".el-dialog.is-fullscreen[data-test=school-form]")
    dialog.wait_for()
    mpage.fill(field("school-name", "input"), "罗湖区东门幼儿园")
    mpage.click("[data-test=school-day-6]")
    mpage.screenshot(path=str(shots_dir / "school-edit-phone.png"))
    mpage.locator("[data-test=school-save]").tap()
    dialog.wait_for(state="hidden")
    mpage.locator(".cg-page-header .title", has_text="罗湖区东门幼儿园").wait_for()
    edited = _school_by_code(city, code)
    assert edited["name"] == "罗湖区东门幼儿园" and edited["live_view_days"] == [1, 2, 3, 4, 5, 6]
    assert edited["principal_name"] == "王园长"  # untouched fields stay
    police = demo_server.api("district_police")
    rows = police.get("/audit", params={"action": "school.update", "limit": 20}).json()["items"]
    row = next(r for r in rows if r["target_id"] == str(school["id"]))
    assert row["actor"] == demo_server.logins["district_police"][0]
    assert row["detail"]["before"]["name"] == "罗湖区测试幼儿园"
    assert set(row["detail"]) == {"name", "live_view_days", "before"}  # only what was changed is sent

    # a window that closes before it opens is refused with the server's reason; nothing changes
    mpage.click("[data-test=school-edit]")
    dialog.wait_for()
    mpage.fill(_window_input(0, "start"), "12:00")
    mpage.locator("[data-test=school-save]").tap()
    mpage.locator("[data-test=school-error]", has_text="live_view_windows").wait_for()
    assert _school_by_code(city, code)["live_view_windows"] == [["08:30", "11:00"]]
    phone.close()
