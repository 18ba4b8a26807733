"""The web console in a real browser (Debian chromium) against a real `campusguard demo` server."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any

import pyotp
import pytest

from .conftest import DemoServer, sign_in

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _context(browser: Any, viewport: dict[str, int], locale: str | None = None) -> Any:
    ctx = browser.new_context(viewport=viewport)
    ctx.set_default_timeout(45_000)  # the machine is shared: be patient, never flaky
    if locale:
        ctx.add_init_script(f"localStorage.setItem('cg.locale', '{locale}')")
    return ctx


def test_city_admin_opens_school_from_tree(browser: Any, demo_server: DemoServer, shots_dir: Path) -> None:
    api = demo_server.api("city_admin")
    me = api.get("/me").json()
    school = api.get("/schools", params={"limit": 1}).json()["items"][0]
    devices = api.get("/devices", params={"school_id": school["id"], "limit": 20}).json()
    assert devices["total"] > 0, "the demo school should have devices"

    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "city_admin")

    header = page.locator("[data-test=platform-name]")
    assert header.inner_text() == "智慧校园安保运营管控平台"
    assert page.locator("[data-test=user-name]").inner_text() == me["display_name"]
    assert page.locator("[data-test=user-role]").inner_text() == "市局管理员"
    # The city admin's menu has every foundation entry.
    for key in ("org", "devices", "events"):
        assert page.locator(f"[data-test=menu-{key}]").is_visible()

    page.click("[data-test=menu-org]")
    page.wait_for_url(re.compile(r"/org$"))
    page.fill("[data-test=org-filter]", school["name"])
    node = page.locator("[data-test=tree-school]", has_text=school["name"]).first
    node.click()
    page.wait_for_url(re.compile(rf"/org/schools/{school['id']}$"))

    title = page.locator(".cg-school .title")
    title.wait_for()
    assert title.inner_text() == school["name"]
    table = page.locator("[data-test=school-devices]")
    first = devices["items"][0]
    table.locator(".el-table__row", has_text=first["name"]).first.wait_for()
    rows = table.locator(".el-table__row")
    assert rows.count() == len(devices["items"])
    shown = [t.get_attribute("data-online") for t in table.locator(".cg-online-tag").all()]
    assert shown == ["1" if d["online"] else "0" for d in devices["items"]]
    assert page.locator("text=设备在线").first.is_visible()
    page.screenshot(path=str(shots_dir / "school-zh.png"), full_page=True)

    # English on request, kept across a reload.
    page.click("[data-test=lang-switch]")
    page.click("[data-test=lang-en]")
    assert header.inner_text() == "Smart Campus Security Operations Platform"
    page.reload()
    page.locator(".cg-school .title").wait_for()
    assert page.locator("[data-test=platform-name]").inner_text() == "Smart Campus Security Operations Platform"
    assert page.locator("[data-test=user-role]").inner_text() == "City police admin"
    page.locator("[data-test=school-devices] .el-table__row").first.wait_for()
    page.screenshot(path=str(shots_dir / "school-en.png"), full_page=True)
    assert errors == []
    ctx.close()


def test_phone_reaches_mobile_home(browser: Any, demo_server: DemoServer, shots_dir: Path) -> None:
    ctx = _context(browser, PHONE)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/m")
    home = page.locator("[data-test=mobile-home]")
    home.wait_for()
    assert "市局管理员" in home.inner_text()
    for key in ("events", "org", "devices"):
        assert page.locator(f"[data-test=tile-{key}]").is_visible()
    page.screenshot(path=str(shots_dir / "mobile-home.png"))

    # A tile opens the responsive console: no side bar, the menu is a drawer behind the toggle.
    page.click("[data-test=tile-devices]")
    page.wait_for_url(re.compile(r"/devices$"))
    page.locator("[data-test=device-table] .el-table__row").first.wait_for()
    assert page.locator(".cg-aside").count() == 0
    page.click("[data-test=menu-toggle]")
    drawer_item = page.locator(".cg-menu-drawer [data-test=menu-org]")
    drawer_item.wait_for()
    page.screenshot(path=str(shots_dir / "phone-drawer.png"))
    drawer_item.click()
    page.wait_for_url(re.compile(r"/org$"))
    page.locator("[data-test=tree-region]").first.wait_for()
    page.screenshot(path=str(shots_dir / "phone-org.png"))
    ctx.close()


def test_live_event_feed_receives_pushed_event(browser: Any, demo_server: DemoServer) -> None:
    api = demo_server.api("city_admin")
    school = api.get("/schools", params={"limit": 1}).json()["items"][0]
    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/events")
    page.locator("[data-test=ws-status][data-status=open]").first.wait_for()

    code = f"WEBTEST-{uuid.uuid4().hex[:8]}"
    r = api.post(
        "/devices",
        json={"code": code, "name": "浏览器测试设备", "type": "sensor", "school_code": school["code"]},
    )
    assert r.status_code == 201, r.text
    item = page.locator("[data-test=event-item]", has_text=code)
    item.wait_for(timeout=15_000)
    assert "设备登记" in item.inner_text()
    ctx.close()


def test_role_aware_menu_and_forbidden_page(browser: Any, demo_server: DemoServer) -> None:
    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()
    sign_in(page, demo_server, "guard")
    assert page.locator("[data-test=user-role]").inner_text() == "保安员"
    assert page.locator("[data-test=menu-org]").is_visible()
    for key in ("devices", "users", "audit"):
        assert page.locator(f"[data-test=menu-{key}]").count() == 0
    page.goto(demo_server.base_url + "/users")
    page.locator("[data-test=forbidden]").wait_for()
    ctx.close()


def test_totp_enrolment_then_login_asks_for_code(browser: Any, demo_server: DemoServer) -> None:
    username, password = demo_server.logins["edu_bureau"]
    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()

    # Enrol an authenticator from the account page.
    sign_in(page, demo_server, "edu_bureau", "/account")
    page.click("[data-test=totp-start]")
    secret = page.locator("[data-test=totp-secret]").inner_text().replace(" ", "")
    qr = page.locator("[data-test=totp-qr]")
    qr.wait_for()
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")  # the QR image really renders
    totp = pyotp.TOTP(secret)
    page.fill("[data-test=totp-code]", totp.now())
    page.click("text=确认绑定")
    page.locator(".el-descriptions .el-tag", has_text="已启用").wait_for()

    # Sign out; signing in now needs the code, and errors come from the problem's detail.
    page.click("[data-test=user-menu]")
    page.click("[data-test=logout]")
    page.click(".el-message-box .el-button--primary")
    page.wait_for_url(re.compile(r"/login"))
    page.fill("[data-test=login-username]", username)
    page.fill("[data-test=login-password]", "wrong-password")
    page.click("[data-test=login-submit]")
    error = page.locator("[data-test=login-error]")
    error.wait_for()
    assert "wrong username or password" in error.inner_text()
    assert page.locator("[data-test=login-otp]").count() == 0

    page.fill("[data-test=login-password]", password)
    page.click("[data-test=login-submit]")
    otp = page.locator("[data-test=login-otp]")
    otp.wait_for()
    assert "authenticator" in error.inner_text()

    otp.fill("000000" if totp.now() != "000000" else "111111")
    page.click("[data-test=login-submit]")
    page.wait_for_function(
        "document.querySelector('[data-test=login-error]')?.textContent.includes('wrong authenticator code')"
    )

    otp.fill(totp.now())
    page.click("[data-test=login-submit]")
    page.wait_for_url(demo_server.base_url + "/")
    assert page.locator("[data-test=user-role]").inner_text() == "教育局"
    ctx.close()


def test_expired_access_token_is_refreshed(browser: Any, demo_server: DemoServer) -> None:
    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/devices")
    page.locator("[data-test=device-table] .el-table__row").first.wait_for()
    # Replace the access token by a forged one: the API answers 401, the client refreshes once and retries,
    # the WebSocket is refused and reconnects with the new token.
    page.evaluate(
        """() => {
        const t = JSON.parse(localStorage.getItem('cg.tokens'))
        t.access_token = 'forged.' + t.access_token.split('.')[1] + '.x'
        localStorage.setItem('cg.tokens', JSON.stringify(t))
    }"""
    )
    page.reload()
    page.locator("[data-test=device-table] .el-table__row").first.wait_for()
    assert page.url.endswith("/devices")
    token = page.evaluate("JSON.parse(localStorage.getItem('cg.tokens')).access_token")
    assert not token.startswith("forged.")
    page.goto(demo_server.base_url + "/events")
    page.locator("[data-test=ws-status][data-status=open]").first.wait_for()
    ctx.close()


def test_service_worker_caches_the_shell(browser: Any, demo_server: DemoServer) -> None:
    ctx = _context(browser, PHONE)
    page = ctx.new_page()
    sign_in(page, demo_server, "guard", "/m")
    page.locator("[data-test=mobile-home]").wait_for()
    scope = page.evaluate("navigator.serviceWorker.ready.then((r) => r.scope)")
    assert scope == demo_server.base_url + "/"
    manifest = page.evaluate("fetch('/manifest.webmanifest').then((r) => r.json())")
    assert manifest["start_url"] == "/m" and manifest["icons"]
    page.wait_for_function(
        """async () => {
        const keys = (await caches.keys()).filter((k) => k.startsWith('cg-shell-'))
        if (keys.length !== 1) return false
        const cache = await caches.open(keys[0])
        return Boolean(await cache.match('/index.html')) && (await cache.keys()).length > 10
    }"""
    )
    # Offline, the cached shell still starts the app (it asks to sign in again, from cache).
    ctx.set_offline(True)
    page.goto(demo_server.base_url + "/m")
    page.locator("[data-test=login-platform]").wait_for()
    assert page.locator("[data-test=login-platform]").inner_text() == "智慧校园安保运营管控平台"
    ctx.close()


def test_admin_pages_users_and_audit_chain(browser: Any, demo_server: DemoServer) -> None:
    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()
    sign_in(page, demo_server, "city_admin", "/users")
    page.locator(".el-table__row", has_text="police04").first.wait_for()
    assert page.locator(".el-table__row", has_text="分局民警").count() >= 2

    page.goto(demo_server.base_url + "/audit")
    page.locator(".el-table__row", has_text="auth.login").first.wait_for()
    page.click("[data-test=audit-verify]")
    verdict = page.locator("[data-test=audit-verdict]")
    verdict.wait_for()
    assert "哈希链完整" in verdict.inner_text()
    ctx.close()
