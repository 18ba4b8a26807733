"""The incident page shows its cameras live (a signed HLS URL from the video module) and the pre/post-alarm clip.

A real camera: the RTSP simulator of tests/video (its `sim` fixture, reused) is registered in the demo as a
camera of the school; an alarm there names it, the video module cuts a clip for `alarm.raised`, and the
operator's incident page lists the camera, asks for its live URL and lists the clip.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from tests.video.conftest import Sim, sim  # noqa: F401 - the RTSP camera simulator fixture, reused
from tests.web.conftest import DemoServer, sign_in

pytestmark = pytest.mark.browser


def test_incident_page_shows_live_camera_and_alarm_clip(
    browser: Any, demo_server: DemoServer, sim: Sim, shots_dir: Path  # noqa: F811
) -> None:
    op_api = demo_server.api("operator")
    school = op_api.get("/schools", params={"limit": 1}).json()["items"][0]
    area = op_api.get(f"/schools/{school['id']}/areas").json()["items"][0]
    admin = demo_server.api("city_admin")
    made = admin.post("/cameras", json={"school_code": school["code"], "name": "报警联动测试机位",
                                        "rtsp_url": sim.url(1), "area_id": area["id"], "code": "SIMCAM-ALARM-1"})
    assert made.status_code == 201, made.text
    camera = made.json()

    incident = op_api.post("/incidents", json={"school_id": school["id"], "type": "intrusion",
                                                "area_id": area["id"]}).json()
    assert camera["device_id"] in [c["id"] for c in incident["cameras"]]
    video = op_api.get(f"/incidents/{incident['id']}/video").json()
    mapped = [c for c in video["cameras"] if c["device_id"] == camera["device_id"]]
    assert mapped and mapped[0]["camera_id"] == camera["id"] and video["can_watch"] and video["can_clip"]

    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(45_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        sign_in(page, demo_server, "operator", "/alarm")
        with page.expect_response(re.compile(rf"/api/v1/cameras/{camera['id']}/live$")) as live:
            page.goto(f"{demo_server.base_url}/alarm/incidents/{incident['id']}")
            page.wait_for_selector(f"[data-test=incident-camera][data-camera='{camera['id']}']")
        assert live.value.status == 200
        signed = live.value.json()
        assert "/video/media/" in signed["hls_url"] and signed["watermark"]
        page.wait_for_selector(f"[data-test=incident-live] [data-test=video-tile][data-camera='{camera['id']}']")
        clip = page.locator("[data-test=incident-clip]").first
        clip.wait_for()
        assert clip.get_attribute("data-status") in ("pending", "ready")
        page.screenshot(path=str(shots_dir / "incident-video.png"), full_page=True)
        assert not errors, errors
    finally:
        context.close()
