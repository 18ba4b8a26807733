"""The video console in a real browser: a simulated RTSP camera recorded and played live and back by hls.js."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from campusguard.accounts.models import User
from campusguard.core.db import Database
from campusguard.org.models import GuardianLink, Person, School
from campusguard.video.simcam import SimCameras

from .conftest import DemoServer, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.ffmpeg]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module", autouse=True)
def _short_segments() -> Iterator[None]:
    """The demo server started for this module records 2 s segments, so a recorded range exists quickly."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CG_VIDEO_SEGMENT_S", "2")
        mp.setenv("CG_VIDEO_RESTART_MIN_S", "0.5")
        yield


@pytest.fixture(scope="module")
def cameras() -> Iterator[SimCameras]:
    """Two simulated cameras (RTSP over TCP, pre-encoded 720p H.264)."""
    sim = SimCameras(2, size="1280x720", bitrate=1000, bulk=True).start()
    try:
        yield sim
    finally:
        sim.stop()


def _demo_db(server: DemoServer) -> Database:
    url = os.environ.get("CG_DATABASE_URL") or f"sqlite:///{server.log_path.parent.resolve() / 'campusguard.db'}"
    return Database(url)


def _parent_class_and_open_windows(server: DemoServer) -> tuple[str, str]:
    """The parent's school code and child's class; opens the school's viewing window around now."""
    db = _demo_db(server)
    try:
        with db.session() as s:
            username = server.logins["parent"][0]
            user = s.scalars(select(User).where(User.username == username)).one()
            child = s.scalars(select(Person).join(GuardianLink, GuardianLink.student_id == Person.id)
                              .where(GuardianLink.guardian_id == user.person_id)).first()
            assert child is not None and child.class_name, "the demo parent should have a child in a class"
            school = s.get(School, child.school_id)
            assert school is not None
            school.settings = {**(school.settings or {}), "live_view_windows": [["00:00", "23:59"]],
                               "live_view_days": [1, 2, 3, 4, 5, 6, 7]}
            return school.code, child.class_name
    finally:
        db.dispose()


def _wait(fn: Any, timeout: float, what: str, step: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = fn()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what}")


def _context(browser: Any, viewport: dict[str, int]) -> Any:
    ctx = browser.new_context(viewport=viewport)
    ctx.set_default_timeout(60_000)  # the machine is shared: be patient, never flaky
    return ctx


def _plays(page: Any, selector: str, beyond_s: float = 1.5) -> float:
    """Wait until the <video> at selector has decoded past beyond_s seconds; return its currentTime."""
    page.wait_for_function(
        "([sel, t]) => { const v = document.querySelector(sel); return !!v && v.currentTime > t && v.readyState >= 2 }",
        arg=[selector, beyond_s], timeout=90_000)
    return float(page.eval_on_selector(selector, "v => v.currentTime"))


def test_wall_live_playback_and_parent_view(browser: Any, demo_server: DemoServer, cameras: SimCameras) -> None:
    school_code, class_name = _parent_class_and_open_windows(demo_server)
    admin = demo_server.api("city_admin")
    admin_login = demo_server.logins["city_admin"][0]  # the watermark names the account, traceable
    ours = admin.post("/cameras", json={"school_code": school_code, "name": "班级摄像机-浏览器测试",
                                        "rtsp_url": cameras.url(1)})
    assert ours.status_code == 201, ours.text
    other = admin.post("/cameras", json={"school_code": school_code, "name": "别班摄像机-浏览器测试",
                                         "rtsp_url": cameras.url(2)})
    assert other.status_code == 201, other.text
    cam, cam_other = ours.json()["id"], other.json()["id"]
    assert admin.put(f"/cameras/{cam}/classes", json={"classes": [class_name]}).status_code == 200
    assert admin.put(f"/cameras/{cam_other}/classes",
                     json={"classes": [class_name + "-其他"]}).status_code == 200

    def recorded() -> bool:
        now = datetime.now(UTC)
        r = admin.get(f"/cameras/{cam}/recordings",
                      params={"start": (now - timedelta(hours=1)).isoformat(), "end": now.isoformat()})
        return r.status_code == 200 and len(r.json()["segments"]) >= 3

    _wait(lambda: admin.get(f"/cameras/{cam}").json()["online"], 120, "the camera to be recorded (online)")
    _wait(recorded, 120, "three recorded segments")

    ctx = _context(browser, DESKTOP)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        # The wall: our camera's tile plays live through hls.js, watermarked with the viewer's name.
        sign_in(page, demo_server, "city_admin", "/video/wall")
        tile = page.locator(f"[data-test=video-tile][data-camera='{cam}']")
        tile.wait_for()
        assert tile.locator("[data-test=video-title]").inner_text() == "班级摄像机-浏览器测试"
        live_sel = f"[data-test=video-tile][data-camera='{cam}'] video"
        first = _plays(page, live_sel)
        page.wait_for_function(
            "([sel, t]) => document.querySelector(sel).currentTime > t + 1", arg=[live_sel, first], timeout=60_000)
        marks = tile.locator("[data-test=video-watermark]").all_inner_texts()
        assert marks and all(m.startswith(admin_login + " · ") for m in marks), marks
        assert tile.locator("[data-test=video-error]").count() == 0

        # Playback of the recorded range (the last hour): the VOD playlist plays in the page's <video>.
        page.goto(f"{demo_server.base_url}/video/playback?camera={cam}")
        page.locator("[data-test=video-segment]").first.wait_for()
        page.eval_on_selector("[data-test=video-vod]", "v => { v.muted = true; return v.play() }")
        _plays(page, "[data-test=video-vod]", beyond_s=1.0)
        assert not errors, errors
    finally:
        ctx.close()

    # A parent on a phone: only the camera of their child's class, and it plays.
    pctx = _context(browser, PHONE)
    phone = pctx.new_page()
    try:
        sign_in(phone, demo_server, "parent", "/m/video/class")
        buttons = phone.locator("[data-test=parent-camera]")
        buttons.first.wait_for()
        assert [b.get_attribute("data-camera") for b in buttons.all()] == [str(cam)]
        tile = phone.locator(f"[data-test=video-tile][data-camera='{cam}']")
        tile.wait_for()
        _plays(phone, f"[data-test=video-tile][data-camera='{cam}'] video")
        marks = tile.locator("[data-test=video-watermark]").all_inner_texts()
        assert marks and all(m.startswith(demo_server.logins["parent"][0] + " · ") for m in marks), marks
        assert phone.locator(f"[data-test=video-tile][data-camera='{cam_other}']").count() == 0
    finally:
        pctx.close()
    parent_token = demo_server.token("parent")
    refused = httpx.get(f"{demo_server.base_url}/api/v1/cameras/{cam_other}/live",
                        headers={"Authorization": f"Bearer {parent_token}"}, timeout=30)
    assert refused.status_code in (403, 404), refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")

