"""A guard walks the patrol and answers a roll call on a phone (Debian chromium, 390x844) against the demo."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from .conftest import WEB, DemoServer, _free_port

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
STARTUP_S = 300


@pytest.fixture(scope="session")
def web_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built console with the current patrol module (a private build when web/dist is older than it)."""
    dist = WEB / "dist"
    index = dist / "index.html"
    sources = [p for p in (WEB / "src").rglob("*") if p.is_file()]
    if index.exists() and max(p.stat().st_mtime for p in sources) <= index.stat().st_mtime:
        return dist
    npx = shutil.which("npx")
    if npx is None or not (WEB / "node_modules").exists():
        pytest.skip("web/dist is older than the sources and node is not available to build it")
    out = tmp_path_factory.mktemp("web-dist-patrol")
    subprocess.run([npx, "vite", "build", "--outDir", str(out), "--emptyOutDir"], cwd=WEB, check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def demo_server(web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """As tests/web/conftest.py's, with a longer start-up allowance (the shared 2-core machine is slow)."""
    data_dir = tmp_path_factory.mktemp("cgdemo")
    log_path = data_dir / "demo.log"
    port = _free_port()
    exe = Path(sys.executable).with_name("campusguard")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-c", "from campusguard.cli import app; app()"]
    env = {**os.environ, "CG_WEB_DIR": str(web_dist), "PYTHONUNBUFFERED": "1"}
    env.pop("CG_DATA_DIR", None)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*cmd, "demo", "--port", str(port), "--data-dir", str(data_dir), "--no-simulators"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=data_dir,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_S
        while True:
            if proc.poll() is not None:
                pytest.fail(f"demo server exited with {proc.returncode}:\n{log_path.read_text(errors='replace')}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"demo server did not start:\n{log_path.read_text(errors='replace')}")
            time.sleep(0.3)
        logins: dict[str, tuple[str, str]] = {}
        for m in re.finditer(r"^\s+(\w+)\s+(\S+)\s+(\S+)\s+\S+\s*$", log_path.read_text(errors="replace"), re.M):
            logins.setdefault(m.group(1), (m.group(2), m.group(3)))
        assert "city_admin" in logins, log_path.read_text(errors="replace")
        yield DemoServer(base_url=base, logins=logins, log_path=log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _jpeg(path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (480, 640), (60, 110, 180)).save(buf, "JPEG")
    path.write_bytes(buf.getvalue())
    return path


def _field(name: str, tag: str) -> str:
    return f"{tag}[data-test={name}], [data-test={name}] {tag}"


def _login(page: Any, server: DemoServer, role: str, path: str) -> None:
    username, password = server.logins[role]
    page.goto(server.base_url + path)
    page.wait_for_url(re.compile(r"/login"))
    page.fill(_field("login-username", "input"), username)
    page.fill(_field("login-password", "input"), password)
    page.click("[data-test=login-submit]")
    page.wait_for_url(re.compile(re.escape(path) + r"$"))


def _check_in(page: Any, token: str) -> str:
    page.fill(_field("token-input", "input"), token)
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
    _login(page, demo_server, "guard", "/m/duty")
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
