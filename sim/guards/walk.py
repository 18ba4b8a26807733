"""Guard simulator for the demo: walks the guard's route checking in over HTTP and answers roll calls.

Run: `.venv/bin/python sim/guards/walk.py --base-url http://127.0.0.1:8000 [--loop] [--misbehave]`

It logs in as the demo guard (the phone) and as the school's safety officer (who holds the printed
QR sheet: the simulator reads the codes through the token endpoint instead of a camera). Each stop is
checked in at the checkpoint's position with a few metres of GPS noise. With --misbehave it also
scans a forged code and checks in from 2 km away, which the platform refuses and records as anomalies.
Pending roll calls are answered with a generated JPEG "live photo" at the school's position.
"""

from __future__ import annotations

import argparse
import io
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import structlog
from PIL import Image, ImageDraw

log = structlog.get_logger("sim.guards")
DEMO_PASSWORD = "Demo-2026-cg"


def login(client: httpx.Client, username: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    r.raise_for_status()
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def live_photo(label: str) -> bytes:
    img = Image.new("RGB", (320, 240), (30 + random.randint(0, 60), 90, 160))
    ImageDraw.Draw(img).text((10, 10), f"{label} {datetime.now(UTC):%H:%M:%S}", fill=(255, 255, 255))
    buf = io.BytesIO()
    img.save(buf, format="JPEG", quality=80)
    return buf.getvalue()


def jitter(lat: float, lon: float, metres: float) -> tuple[float, float]:
    d = metres / 111_320.0
    return lat + random.uniform(-d, d), lon + random.uniform(-d, d)


class Guard:
    """One simulated guard phone plus the officer's view of the printed codes."""

    def __init__(self, base_url: str, guard: str, officer: str, password: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=30)
        self.guard_h = login(self.client, guard, password)
        self.officer_h = login(self.client, officer, password)

    def duty(self) -> dict[str, Any]:
        r = self.client.get("/api/v1/patrol/duty", headers=self.guard_h)
        r.raise_for_status()
        return dict(r.json())

    def checkpoint(self, checkpoint_id: int) -> tuple[dict[str, Any], str]:
        cps = self.client.get("/api/v1/patrol/checkpoints", headers=self.officer_h, params={"limit": 500}).json()
        cp = next(c for c in cps["items"] if c["id"] == checkpoint_id)
        token = self.client.get(f"/api/v1/patrol/checkpoints/{checkpoint_id}/token", headers=self.officer_h)
        token.raise_for_status()
        return cp, str(token.json()["token"])

    def checkin(self, token: str, lat: float, lon: float) -> httpx.Response:
        body = {"token": token, "lat": lat, "lon": lon, "accuracy_m": 8, "client_id": f"sim-{uuid.uuid4().hex}"}
        return self.client.post("/api/v1/patrol/checkins", headers=self.guard_h, json=body)

    def step(self, misbehave: bool = False) -> bool:
        """Check in at the next stop still to do; False when the route is done (or there is no shift)."""
        stop = next((s for s in self.duty()["stops"] if s["status"] in ("pending", "missed")), None)
        if stop is None:
            return False
        cp, token = self.checkpoint(stop["checkpoint_id"])
        lat, lon = jitter(cp["lat"], cp["lon"], min(10.0, cp["radius_m"] / 3))
        if misbehave:
            forged = token[:-4] + ("0000" if not token.endswith("0000") else "1111")
            log.info("guard.forged", status=self.checkin(forged, lat, lon).status_code)
            log.info("guard.far_away", status=self.checkin(token, cp["lat"] + 0.018, cp["lon"]).status_code)
        r = self.checkin(token, lat, lon)
        log.info("guard.checkin", checkpoint=cp["name"], status=r.status_code)
        return r.status_code in (200, 201)

    def answer_rollcalls(self) -> int:
        pending = self.client.get("/api/v1/rollcalls/pending", headers=self.guard_h).json()["items"]
        duty = self.duty()
        answered = 0
        for rc in pending:
            lat, lon = 22.55, 114.1
            if duty["stops"]:
                cp, _ = self.checkpoint(duty["stops"][0]["checkpoint_id"])
                lat, lon = jitter(cp["lat"], cp["lon"], 5)
            r = self.client.post(f"/api/v1/rollcalls/{rc['rollcall_id']}/answer", headers=self.guard_h,
                                 files={"photo": ("live.jpg", live_photo("roll call"), "image/jpeg")},
                                 data={"lat": str(lat), "lon": str(lon)})
            log.info("guard.rollcall", rollcall=rc["rollcall_id"], status=r.status_code)
            answered += r.status_code == 200
        return answered


def main() -> None:
    parser = argparse.ArgumentParser(description="CampusGuard guard simulator (patrol check-ins, roll calls)")
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--guard", default="guard")
    parser.add_argument("--officer", default="principal", help="holder of the printed QR sheet")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--pause", type=float, default=2.0, help="seconds between checkpoints (single walk)")
    parser.add_argument("--loop", action="store_true", help="run forever: a checkpoint per interval, roll calls")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between checkpoints with --loop")
    parser.add_argument("--misbehave", action="store_true", help="also send a forged and a far-away scan")
    args = parser.parse_args()
    guard = None
    for _ in range(150):  # the demo server may still be starting (up to 5 minutes on a busy machine)
        try:
            guard = Guard(args.base_url, args.guard, args.officer, args.password)
            break
        except httpx.HTTPError as exc:
            log.info("guard.waiting", error=str(exc))
            time.sleep(2)
    if guard is None:
        raise SystemExit("platform not reachable")
    misbehave = args.misbehave
    while True:
        try:
            walked = guard.step(misbehave)
            misbehave = False
            if not walked and not args.loop:
                break
            deadline = time.monotonic() + (args.interval if args.loop else args.pause)
            while time.monotonic() < deadline:
                guard.answer_rollcalls()
                time.sleep(min(5.0, args.pause))
        except httpx.HTTPError as exc:
            log.warning("guard.error", error=str(exc))
            time.sleep(5)

if __name__ == "__main__":
    main()
