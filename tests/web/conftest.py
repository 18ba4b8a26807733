"""Fixtures for the browser tests: a built console, a demo server on a free port, Debian chromium."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
IN_CI = bool(os.environ.get("CI"))
STARTUP_S = 300  # seeding the demo city on a busy 2-core machine can be slow


def _unavailable(reason: str) -> None:
    """Skip on a developer machine, fail in CI: there the browser test must really run."""
    if IN_CI:
        pytest.fail(reason)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class DemoServer:
    base_url: str
    logins: dict[str, tuple[str, str]]  # role -> (username, password), as printed by the seed
    log_path: Path

    def token(self, role: str) -> str:
        username, password = self.logins[role]
        r = httpx.post(
            f"{self.base_url}/api/v1/auth/token",
            data={"username": username, "password": password},
            timeout=60,
        )
        r.raise_for_status()
        return str(r.json()["access_token"])

    def api(self, role: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{self.base_url}/api/v1",
            headers={"Authorization": f"Bearer {self.token(role)}"},
            timeout=60,
        )


@pytest.fixture(scope="session")
def npm() -> str:
    """npm with the console's node_modules installed (npm ci when missing)."""
    path = shutil.which("npm")
    if path is None:
        _unavailable("npm is not installed")
        raise AssertionError("unreachable")
    if not (WEB / "node_modules").exists():
        subprocess.run([path, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    return path


@pytest.fixture(scope="session")
def web_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The built console: web/dist when it is newer than every source (make test builds it), else a private build.

    A private build (not web/dist) keeps a stale or concurrent build elsewhere from changing the files under a
    running browser test.
    """
    dist = WEB / "dist"
    index = dist / "index.html"
    sources = [p for p in (WEB / "src").rglob("*") if p.is_file()] + [WEB / "index.html"]
    newest = max((p.stat().st_mtime for p in sources if p.exists()), default=0.0)
    if index.exists() and index.stat().st_mtime >= newest:
        return dist
    npm = shutil.which("npm")
    npx = shutil.which("npx")
    if npm is None or npx is None:
        _unavailable("web/dist is missing or older than web/src, and node is not installed to build it")
        raise AssertionError("unreachable")
    if not (WEB / "node_modules").exists():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, check=True)
    out = tmp_path_factory.mktemp("web-dist")
    subprocess.run([npx, "vite", "build", "--outDir", str(out), "--emptyOutDir"], cwd=WEB, check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="module")
def demo_server(web_dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoServer]:
    """`campusguard demo` on a free port with its own data dir; logins parsed from its output."""
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


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        _unavailable("/usr/bin/chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def shots_dir(tmp_path: Path) -> Path:
    """Where tests save screenshots: CG_WEB_SHOTS if set (to look at them), else the test's tmp dir."""
    target = Path(os.environ["CG_WEB_SHOTS"]) if os.environ.get("CG_WEB_SHOTS") else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    return target


def field(name: str, tag: str) -> str:
    """Element Plus puts extra attributes on the native control (or, in older builds, its wrapper)."""
    return f"{tag}[data-test={name}], [data-test={name}] {tag}"


def sign_in(page: Any, server: DemoServer, role: str, path: str = "/") -> None:
    """Open `path`, get sent to the login page, sign in as the demo user of `role`, and land back on `path`."""
    username, password = server.logins[role]
    page.goto(server.base_url + path)
    page.wait_for_url(re.compile(r"/login"))
    page.fill(field("login-username", "input"), username)
    page.fill(field("login-password", "input"), password)
    page.click("[data-test=login-submit]")
    page.wait_for_url(re.compile("^" + re.escape(server.base_url + path.split("?")[0]) + r"(\?.*)?$"))
