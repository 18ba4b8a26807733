"""Alarm benchmark: N devices heartbeating through Mosquitto, then a burst of alarms, timed to the console.

Latency = device publish -> `alarm.raised` received on a platform WebSocket client (real server
process, real broker, SQLite file). Baseline = raw MQTT publish -> subscriber round trip of the same
number of messages, measured in the same run under the same heartbeat load.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiomqtt
import httpx
import orjson
import psutil
import structlog
import websockets
from sqlalchemy import func, insert, select

from campusguard.core.benchserver import ServerProcess

log = structlog.get_logger(__name__)
ROOT = Path(__file__).resolve().parents[3]


@dataclass
class BenchConfig:
    """Knobs of `campusguard bench alarms`."""

    devices: int = 10_000
    heartbeat_s: float = 10.0
    burst: int = 200
    mqtt_url: str | None = None  # None: a private Mosquitto tuned for a fleet (see BROKER_CONF)
    connections: int = 4
    warmup_s: float | None = None  # default: one heartbeat period
    keep: bool = False
    postgres: str | None = None  # admin URL: run on a fresh PostgreSQL database instead of SQLite


def _sim() -> Any:
    """The device simulator lives in the repository's `sim/` package."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from sim.devices import mqtt_fleet

    return mqtt_fleet


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return round(ordered[index], 2)


# What a deployment for 10^4 alarm points needs beyond Mosquitto's defaults (20 in flight, 1,000 queued
# per client): the platform's session must absorb heartbeats while it commits a burst or restarts.
BROKER_CONF = """listener {port} 127.0.0.1
allow_anonymous true
persistence false
max_inflight_messages 1000
max_queued_messages 200000
"""


@contextlib.contextmanager
def private_broker(workdir: Path) -> Any:
    """Start `mosquitto -c` on a free port; yields its mqtt:// URL."""
    port = _free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text(BROKER_CONF.format(port=port))
    logfile = (workdir / "mosquitto.log").open("ab")
    proc = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=logfile, stderr=logfile)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            time.sleep(0.05)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        logfile.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(url: str, secret: str, devices: int, heartbeat_s: float) -> list[tuple[str, str, int]]:
    """Migrate, seed a small city, add `devices` MQTT alarm buttons; returns (school, device, id)."""
    from campusguard.core import crypto
    from campusguard.core.db import Database, utcnow
    from campusguard.core.migrate import upgrade
    from campusguard.device.models import Device
    from campusguard.org.models import School
    from campusguard.org.seed import seed_city

    crypto.configure(secret)
    upgrade(url)
    db = Database(url)
    try:
        with db.session() as session:
            seed_city(session, districts=1, schools_per_district=4)
            schools = session.execute(select(School.id, School.code).order_by(School.id)).tuples().all()
            now = utcnow()
            # seeded as just heard from (last_seen a little ahead covers the server start-up), so
            # supervision does not raise an offline storm before the simulator's first heartbeats
            seen = now + timedelta(seconds=max(120.0, 3 * heartbeat_s))
            rows = [{"code": f"BX{i:06d}", "name": f"bench button {i}", "type": "alarm_button",
                     "school_id": schools[i % len(schools)][0], "protocol": "mqtt", "settings": {},
                     "heartbeat_s": int(heartbeat_s), "online": True, "installed": True, "last_seen": seen,
                     "created_at": now, "updated_at": now} for i in range(devices)]
            for start in range(0, len(rows), 2000):
                session.execute(insert(Device), rows[start:start + 2000])
        with db.session() as session:
            found = session.execute(select(School.code, Device.code, Device.id).join(School)
                                    .where(Device.code.like("BX%")).order_by(Device.id)).tuples().all()
            count = session.scalar(select(func.count()).select_from(Device).where(Device.code.like("BX%")))
            assert count == devices
        return [(s, d, i) for s, d, i in found]
    finally:
        db.dispose()


async def _login(base: str) -> str:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        r = await client.post("/api/v1/auth/token", data={"username": "admin", "password": "Demo-2026-cg"})
        r.raise_for_status()
        return str(r.json()["access_token"])


@contextlib.asynccontextmanager
async def _console(port: int, token: str, seen: dict[str, float],
                   raised: dict[str, float] | None = None) -> AsyncIterator[None]:
    """A console WebSocket recording when each device's `alarm.raised` arrives."""
    async with websockets.connect(f"ws://127.0.0.1:{port}/api/v1/ws?token={token}", max_size=2**22,
                                  open_timeout=120) as ws:

        async def reader() -> None:
            log.info("bench.console_connected")
            async for raw in ws:
                now = time.time()
                event = orjson.loads(raw)
                if event.get("type") == "alarm.raised" and event.get("device_code"):
                    seen.setdefault(str(event["device_code"]), now)
                    if raised is not None and event.get("raised_at"):
                        at = datetime.fromisoformat(str(event["raised_at"]).replace("Z", "+00:00"))
                        raised.setdefault(str(event["device_code"]), at.timestamp())

        task = asyncio.create_task(reader())
        try:
            yield
            if task.done() and task.exception() is not None:
                raise RuntimeError(f"console socket failed: {task.exception()!r}")
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
                await task


async def _baseline(mqtt_url: str, count: int) -> list[float]:
    """Raw broker round trip: `count` QoS 1 publishes at once, timed publish -> subscriber receipt."""
    parts = urlsplit(mqtt_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 1883
    run = secrets.token_hex(4)
    received: dict[int, float] = {}
    sent: dict[int, float] = {}
    publisher = aiomqtt.Client(host, port, max_inflight_messages=1000)
    async with aiomqtt.Client(host, port) as sub, publisher as pub:
        await sub.subscribe(f"cgbench/{run}/#", qos=1)

        async def listen() -> None:
            async for message in sub.messages:
                received[int(str(message.topic).rsplit("/", 1)[1])] = time.time()
                if len(received) >= count:
                    return

        listener = asyncio.create_task(listen())

        async def one(i: int) -> None:
            sent[i] = time.time()
            await pub.publish(f"cgbench/{run}/{i}", orjson.dumps({"type": "panic", "seq": i}), qos=1)

        await asyncio.gather(*(one(i) for i in range(count)))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(listener, 30)
        listener.cancel()
    return [(received[i] - sent[i]) * 1000 for i in received]


async def _forget_session(mqtt_url: str, client_id: str) -> None:
    parts = urlsplit(mqtt_url)
    async with aiomqtt.Client(parts.hostname or "127.0.0.1", parts.port or 1883, identifier=client_id,
                              clean_session=True):
        pass


async def run_bench(cfg: BenchConfig) -> dict[str, Any]:
    """Run the whole benchmark and return the JSON-able result."""
    workdir = Path(tempfile.mkdtemp(prefix="cg-bench-alarms-"))
    try:
        if cfg.mqtt_url is not None:
            return await _run(cfg, cfg.mqtt_url, workdir)
        with private_broker(workdir) as url:
            result = await _run(cfg, url, workdir)
            result["broker"] = "private mosquitto (max_inflight_messages 1000, max_queued_messages 200000)"
            return result
    finally:
        if not cfg.keep:
            shutil.rmtree(workdir, ignore_errors=True)


async def _run(cfg: BenchConfig, mqtt_url: str, workdir: Path) -> dict[str, Any]:
    fleet_mod = _sim()
    secret = secrets.token_urlsafe(32)
    url = f"sqlite:///{workdir / 'campusguard.db'}"
    if cfg.postgres:
        url = await asyncio.to_thread(_create_database, cfg.postgres)
    started = time.monotonic()
    rows = await asyncio.to_thread(prepare_database, url, secret, cfg.devices, cfg.heartbeat_s)
    client_id = f"cg-bench-intake-{secrets.token_hex(3)}"
    port = _free_port()
    env = {**os.environ, "CG_SECRET_KEY": secret, "CG_DATABASE_URL": url, "CG_MQTT_URL": mqtt_url,
           "CG_DATA_DIR": str(workdir / "data"), "CG_INTAKE_MQTT_CLIENT_ID": client_id, "CG_BUS_URL": "memory://",
           "CG_MFA_REQUIRED_ROLES": "[]", "CG_LOG_JSON": "1"}
    platform = ServerProcess(env, port, workdir / "server.log",
                             ready_log=(b"mqtt.intake_connected", b"app.started"), health_path=None)
    await asyncio.to_thread(platform.start)
    result: dict[str, Any] = {"devices": cfg.devices, "heartbeat_s": cfg.heartbeat_s, "burst": cfg.burst}
    try:
        token = await _login(f"http://127.0.0.1:{port}")
        devices = [fleet_mod.SimDevice(school, code) for school, code, _ in rows]
        seen: dict[str, float] = {}
        raised: dict[str, float] = {}
        server = psutil.Process(platform.proc.pid if platform.proc else os.getpid())
        async with fleet_mod.MqttFleet(mqtt_url, devices, heartbeat_s=cfg.heartbeat_s,
                                       connections=cfg.connections) as fleet, _console(port, token, seen, raised):
            beats = asyncio.create_task(fleet.heartbeat_forever())
            await asyncio.sleep(cfg.warmup_s if cfg.warmup_s is not None else cfg.heartbeat_s)
            beats_at_warmup = fleet.stats.heartbeats
            baseline = await _baseline(mqtt_url, cfg.burst)
            server.cpu_percent(None)
            chosen = devices[:: max(1, len(devices) // cfg.burst)][: cfg.burst]
            presses = await asyncio.gather(*(fleet.press(d, "panic") for d in chosen))
            deadline = time.monotonic() + 60
            codes = {p.device.device_code for p in presses}
            while time.monotonic() < deadline and not codes <= seen.keys():  # noqa: ASYNC110 - fed by the socket
                await asyncio.sleep(0.05)
            cpu = server.cpu_percent(None)
            beats.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beats
        latencies = [(seen[p.device.device_code] - p.sent_at) * 1000 for p in presses
                     if p.device.device_code in seen]
        # where the time goes: publish -> incident created in the intake transaction -> on the console
        to_intake = [(raised[p.device.device_code] - p.sent_at) * 1000 for p in presses
                     if p.device.device_code in raised]
        to_console = [(seen[code] - at) * 1000 for code, at in raised.items() if code in seen]
        incidents = await asyncio.to_thread(_count_incidents, url, secret)
        acked = [p for p in presses if p.acked_at is not None]
        result.update(
            sent=len(presses), broker_acked=len(acked), incidents=incidents, on_console=len(latencies),
            lost=len(acked) - min(incidents, len(acked)),
            p50_ms=_percentile(latencies, 50), p99_ms=_percentile(latencies, 99),
            max_ms=_percentile(latencies, 100),
            publish_to_raised_p50_ms=_percentile(to_intake, 50), publish_to_raised_p99_ms=_percentile(to_intake, 99),
            raised_to_console_p50_ms=_percentile(to_console, 50),
            raised_to_console_p99_ms=_percentile(to_console, 99),
            baseline_p50_ms=_percentile(baseline, 50), baseline_p99_ms=_percentile(baseline, 99),
            heartbeats_sent=fleet.stats.heartbeats, heartbeat_errors=fleet.stats.heartbeat_errors,
            heartbeats_per_s_target=round(cfg.devices / cfg.heartbeat_s, 1),
            heartbeats_in_warmup=beats_at_warmup, platform_cpu_percent_during_burst=cpu,
            elapsed_s=round(time.monotonic() - started, 1),
        )
        if result["p99_ms"] is not None and result["baseline_p99_ms"]:
            result["p99_vs_baseline"] = round(result["p99_ms"] / result["baseline_p99_ms"], 2)
        return result
    finally:
        await asyncio.to_thread(platform.stop)
        with contextlib.suppress(Exception):
            await _forget_session(mqtt_url, client_id)
        if cfg.postgres:
            await asyncio.to_thread(_drop_database, cfg.postgres, url)
        if cfg.keep:
            result["workdir"] = str(workdir)
        result["database"] = "postgresql" if cfg.postgres else "sqlite"


def _create_database(admin_url: str) -> str:
    """A fresh database on the PostgreSQL server of `admin_url`; returns its URL."""
    from sqlalchemy import text

    from campusguard.core.db import make_engine

    name = f"cg_bench_{secrets.token_hex(4)}"
    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def _drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import text

    from campusguard.core.db import make_engine

    engine = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    finally:
        engine.dispose()


def _count_incidents(url: str, secret: str) -> int:
    from campusguard.alarm.models import Incident
    from campusguard.core.db import Database

    db = Database(url)
    try:
        with db.session() as session:
            return int(session.scalar(select(func.count()).select_from(Incident).where(
                Incident.type == "panic")) or 0)
    finally:
        db.dispose()
