"""Kill test: SIGKILL the real server during a QoS 1 burst; every alarm the broker PUBACKed exists once.

The device's PUBACK comes from Mosquitto; the platform's persistent session (fixed client id, clean
session off) and its manual PUBACK after commit make the broker hold every message the platform has
not committed, across the crash, and deliver it to the restarted server.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiomqtt
import orjson
import pytest
from sqlalchemy import func, select

from campusguard.alarm.escalation import JOB_KIND
from campusguard.alarm.models import DeviceEvent, Escalation
from campusguard.core.db import Database
from campusguard.core.migrate import upgrade
from campusguard.core.models import Job
from campusguard.device.models import Device
from campusguard.org.models import School
from campusguard.org.seed import seed_city

SECRET = "test-secret-key-for-campusguard-suite-0123456789"  # the suite's key (tests/conftest.py)
BURST = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """`campusguard serve` as a child process, killable like a crashed node."""

    def __init__(self, env: dict[str, str], port: int, log: Path) -> None:
        self.env, self.port, self.log = env, port, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "campusguard.cli",
                    "serve",
                    "--allow-sqlite",
                    "--port",
                    str(self.port),
                ],
                env=self.env,
                stdout=out,
                stderr=out,
            )
        deadline = time.monotonic() + 150  # imports are slow on a busy 2-core machine
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, self.log.read_text()[-3000:]
            if b"mqtt.intake_connected" in self.log.read_bytes()[offset:]:
                return
            time.sleep(0.1)
        raise AssertionError("server did not connect to the broker:\n" + self.log.read_text()[-3000:])

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture
def platform(tmp_path: Path, mqtt_url: str) -> Iterator[tuple[Server, Database, str, str, str]]:
    url = f"sqlite:///{tmp_path / 'campusguard.db'}"
    upgrade(url)
    db = Database(url)
    with db.session() as s:
        seed_city(s, districts=1, schools_per_district=1)
        device, school = s.execute(
            select(Device.code, School.code)
            .join(School)
            .where(Device.protocol == "mqtt", Device.type == "alarm_button")
        ).one()
    client_id = f"test-kill-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "CG_SECRET_KEY": SECRET,
        "CG_DATABASE_URL": url,
        "CG_MQTT_URL": mqtt_url,
        "CG_DATA_DIR": str(tmp_path / "data"),
        "CG_INTAKE_MQTT_CLIENT_ID": client_id,
        "CG_BUS_URL": "memory://",
        "CG_JOBS_POLL_S": "0.5",
    }
    server = Server(env, _free_port(), tmp_path / "server.log")
    try:
        yield server, db, device, school, client_id
    finally:
        server.stop()
        db.dispose()
        asyncio.run(_forget(mqtt_url, client_id))


async def _forget(mqtt_url: str, client_id: str) -> None:
    host, port = mqtt_url.removeprefix("mqtt://").split(":")
    async with aiomqtt.Client(host, int(port), identifier=client_id, clean_session=True):
        pass


def _committed(db: Database, device: str, floor: int) -> int:
    """How many of this burst's alarms (seq >= floor) are committed so far."""
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(DeviceEvent).join(Device).where(
            Device.code == device, DeviceEvent.seq >= floor)) or 0)


def _mine(db: Database, device: str, acked: set[int]) -> tuple[list[int], list[int | None]]:
    """(seqs, incident ids) of this burst's device events (the seeded demo history is left out)."""
    with db.session() as s:
        rows = s.execute(
            select(DeviceEvent.seq, DeviceEvent.incident_id)
            .join(Device)
            .where(Device.code == device, DeviceEvent.seq.in_(sorted(acked)))
        ).tuples().all()
    return [int(seq) for seq, _ in rows if seq is not None], [incident for _, incident in rows]


async def _burst(
    mqtt_url: str, topic: str, server: Server, db: Database, device: str
) -> tuple[set[int], int]:
    """Publish BURST panics (QoS 1), SIGKILL the server once it committed a few; (PUBACKed, at kill)."""
    host, port = mqtt_url.removeprefix("mqtt://").split(":")
    acked: set[int] = set()
    at_kill = -1
    base = int(time.time() * 1000) * 1000
    async with aiomqtt.Client(host, int(port), max_inflight_messages=200) as client:

        async def press(seq: int) -> None:
            body = orjson.dumps({"type": "panic", "ts": datetime.now(UTC).isoformat(), "seq": seq})
            await client.publish(topic, body, qos=1, timeout=30)
            acked.add(seq)  # the device saw PUBACK

        for start in range(0, BURST, 10):
            await asyncio.gather(*(press(base + n) for n in range(start, start + 10)))
            if at_kill < 0 and _committed(db, device, base) >= 10:
                server.kill()
                at_kill = _committed(db, device, base)
            await asyncio.sleep(0.05)
    return acked, at_kill


def test_every_acknowledged_alarm_survives_sigkill(
    platform: tuple[Server, Database, str, str, str], mqtt_url: str
) -> None:
    server, db, device, school, _ = platform
    server.start()
    acked, at_kill = asyncio.run(_burst(mqtt_url, f"campusguard/{school}/{device}/event", server, db, device))
    assert len(acked) == BURST
    assert 0 <= at_kill < BURST, "the server must die mid-burst"
    server.start()  # restart: the broker delivers what the dead process never acknowledged
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not acked <= set(_mine(db, device, acked)[0]):
        time.sleep(0.2)
    seqs, incident_ids = _mine(db, device, acked)
    assert acked <= set(seqs), f"lost {len(acked - set(seqs))} acknowledged alarms"
    assert len(seqs) == len(set(seqs)) == BURST  # exactly once
    assert None not in incident_ids and len(set(incident_ids)) == BURST  # one incident each
    with db.session() as s:
        escalations = s.scalar(
            select(func.count()).select_from(Escalation).where(Escalation.incident_id.in_(incident_ids))
        )
        assert escalations == BURST
    # escalations resume after the restart: no first step stays overdue
    deadline = time.monotonic() + 60
    overdue: Any = None
    while time.monotonic() < deadline:
        with db.session() as s:
            overdue = sum(1 for job in s.scalars(
                select(Job)
                .where(
                    Job.kind == JOB_KIND,
                    Job.status == "pending",
                    Job.attempts == 0,
                    Job.run_at < datetime.now(UTC) - timedelta(seconds=10),
                )
            ) if job.payload.get("incident_id") in incident_ids)
        if overdue == 0:
            break
        time.sleep(0.5)
    assert overdue == 0



def test_two_nodes_on_nats_survive_losing_one(tmp_path: Path, mqtt_url: str, nats_url: str) -> None:
    """Active-active: both nodes consume every message (own sessions), dedup on (device, seq) keeps one
    incident; SIGKILL one node mid-burst and the other alone still commits every PUBACKed alarm."""
    url = f"sqlite:///{tmp_path / 'campusguard.db'}"
    upgrade(url)
    db = Database(url)
    with db.session() as s:
        seed_city(s, districts=1, schools_per_district=1)
        device, school = s.execute(
            select(Device.code, School.code)
            .join(School)
            .where(Device.protocol == "mqtt", Device.type == "alarm_button")
        ).one()
    ids = [f"test-node{n}-{uuid.uuid4().hex[:6]}" for n in (1, 2)]
    nodes = []
    for n, client_id in enumerate(ids):
        env = {**os.environ, "CG_SECRET_KEY": SECRET, "CG_DATABASE_URL": url, "CG_MQTT_URL": mqtt_url,
               "CG_DATA_DIR": str(tmp_path / f"data{n}"), "CG_INTAKE_MQTT_CLIENT_ID": client_id,
               "CG_BUS_URL": nats_url,
               "CG_NODE_NAME": f"node{n}", "CG_JOBS_POLL_S": "0.5"}
        nodes.append(Server(env, _free_port(), tmp_path / f"node{n}.log"))
    try:
        for node in nodes:
            node.start()
        victim, survivor = nodes
        acked, at_kill = asyncio.run(_burst(mqtt_url, f"campusguard/{school}/{device}/event", victim, db, device))
        assert len(acked) == BURST and at_kill >= 0  # under load the kill can land after the last commit
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not acked <= set(_mine(db, device, acked)[0]):
            time.sleep(0.2)
        seqs, incident_ids = _mine(db, device, acked)
        assert acked <= set(seqs), f"lost {len(acked - set(seqs))} acknowledged alarms"
        assert len(seqs) == len(set(seqs)) == BURST
        # both nodes saw every press; dedup on (device, seq) left one incident each
        assert None not in incident_ids and len(set(incident_ids)) == BURST
        assert survivor.proc is not None and survivor.proc.poll() is None
    finally:
        for node in nodes:
            node.stop()
        db.dispose()
        for client_id in ids:
            asyncio.run(_forget(mqtt_url, client_id))
