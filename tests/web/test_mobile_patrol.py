"""A guard walks the patrol and answers a roll call on a phone (Debian chromium, 390x844) against the demo."""

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


def _jpeg(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (480, 640), (60, 110, 180)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def _check_in(page: Any, token: str) -> str:
    page.fill(field("token-input", "input"), token)
    page.click("[data-test=checkin-submit]")
    result = page.wait_for_selector("[data-test=checkin-result]")
    text = str(result.inner_text())
    return text


def test_guard_walks_patrol_and_answers_rollcall(
    browser: Any, demo_server: DemoServer, shots_dir: Path, tmp_path: Path
) -> None:
    officer, guard_api, liaison = (
        demo_server.api("school_admin"),
        demo_server.api("guard"),
        demo_server.api("liaison_officer"),
    )
    duty = guard_api.get("/patrol/duty").json()
    assert duty["shift"] and len(duty["stops"]) >= 3, duty
    cps = {c["id"]: c for c in officer.get("/patrol/checkpoints", params={"limit": 500}).json()["items"]}
    tokens = {cid: officer.get(f"/patrol/checkpoints/{cid}/token").json()["token"] for cid in cps}
    first = cps[duty["stops"][0]["checkpoint_id"]]
    errors: list[str] = []

    ctx = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        geolocation={"latitude": first["lat"], "longitude": first["lon"], "accuracy": 8},
        permissions=["geolocation"],
    )
    ctx.set_default_timeout(45_000)
    page = ctx.new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, demo_server, "guard", "/m/duty")
    page.wait_for_selector("[data-test=stop-1][data-status=pending]")

    # a photo of another platform's code is refused on the spot (and recorded)
    forged = re.sub(r"\.[0-9a-f]{24}$", "." + "0" * 24, tokens[first["id"]])
    assert "拒绝" in _check_in(page, forged)

    for i, stop in enumerate(duty["stops"], start=1):
        cp = cps[stop["checkpoint_id"]]
        ctx.set_geolocation({"latitude": cp["lat"] + 0.00003, "longitude": cp["lon"], "accuracy": 8})
        if i == 2:  # walking through a dead spot: the scan is queued and sent once back online
            ctx.set_offline(True)
            assert "离线" in _check_in(page, tokens[cp["id"]])
            ctx.set_offline(False)
        else:
            assert "打卡成功" in _check_in(page, tokens[cp["id"]])
        page.wait_for_selector(f"[data-test=stop-{i}][data-status=done]")
    page.screenshot(path=str(shots_dir / "patrol-1-route-done.png"), full_page=True)
    checkins = officer.get("/patrol/checkins").json()
    assert checkins["total"] == len(duty["stops"])  # the queued one arrived exactly once
    kinds = [a["kind"] for a in officer.get("/patrol/anomalies").json()["items"]]
    assert kinds == ["forged_token"]

    # the liaison officer calls the school; the guard answers with a live photo and position
    school_code = guard_api.get("/schools", params={"limit": 1}).json()["items"][0]["code"]
    rc = liaison.post("/rollcalls", json={"school_codes": [school_code], "answer_within_s": 300}).json()
    page.reload()
    page.click("[data-test=rollcall-answer]")
    page.wait_for_url(re.compile(rf"/m/rollcalls/{rc['id']}$"))
    page.set_input_files("[data-test=rollcall-photo]", str(_jpeg(tmp_path / "selfie.jpg")))
    page.click("[data-test=rollcall-submit]")
    assert "应答成功" in str(page.wait_for_selector("[data-test=rollcall-result]").inner_text())
    page.screenshot(path=str(shots_dir / "patrol-2-rollcall.png"), full_page=True)
    table = liaison.get(f"/rollcalls/{rc['id']}").json()
    assert table["totals"]["answered"] == 1 and table["guards"][0]["photo_id"]
    assert table["guards"][0]["distance_m"] is not None and table["guards"][0]["distance_m"] < 200
    assert errors == []
    ctx.close()
