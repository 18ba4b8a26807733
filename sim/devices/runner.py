"""Demo entry points: run the simulator in-process (`start_in_process`) or as a child (`spawn`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sim.devices.dc09_panel import Dc09Panel
from sim.devices.mqtt_fleet import MqttFleet, SimDevice, make_devices

log = logging.getLogger("sim.devices")
ROOT = Path(__file__).resolve().parents[2]
ALARM_TYPES = ("panic", "duress", "intrusion", "fire", "medical", "tamper")


@dataclass
class SimConfig:
    """What to simulate; device codes follow `make_devices` unless `devices` is given."""

    mqtt_url: str | None = "mqtt://127.0.0.1:1883"
    schools: int = 3
    per_school: int = 4
    school_codes: list[str] = field(default_factory=list)
    suffixes: list[str] = field(default_factory=lambda: ["AB01", "PS01"])  # the demo seed's MQTT devices
    devices: list[SimDevice] = field(default_factory=list)
    heartbeat_s: float = 10.0
    connections: int = 2
    alarm_every_s: float = 0.0
    dc09: str | None = None
    dc09_account: str | None = None  # "auto": one panel per school, account `<last 4 of code>A2`
    dc09_key: bytes | None = None
    duration_s: float = 0.0

    def device_list(self) -> list[SimDevice]:
        if self.devices:
            return self.devices
        if self.school_codes:
            return [SimDevice(code, f"{code}-{suffix}")
                    for code in self.school_codes for suffix in self.suffixes]
        return make_devices(self.schools, self.per_school)


async def run_simulator(config: SimConfig) -> None:
    """Heartbeat every device, press random alarms, keep a DC-09 panel link-testing; until cancelled."""
    tasks: list[asyncio.Task[None]] = []
    async with contextlib.AsyncExitStack() as stack:
        if config.mqtt_url:
            fleet = await stack.enter_async_context(
                MqttFleet(config.mqtt_url, config.device_list(), heartbeat_s=config.heartbeat_s,
                          connections=config.connections)
            )
            tasks.append(asyncio.create_task(fleet.heartbeat_forever()))
            if config.alarm_every_s > 0:
                tasks.append(asyncio.create_task(_press_randomly(fleet, config.alarm_every_s)))
        if config.dc09 and config.dc09_account:
            host, port = config.dc09.rsplit(":", 1)
            accounts = ([f"{code[-4:]}A2" for code in config.school_codes] if config.dc09_account == "auto"
                        else [config.dc09_account])
            for account in accounts:
                panel = Dc09Panel(host, int(port), account, key=config.dc09_key)
                stack.push_async_callback(panel.close)
                tasks.append(asyncio.create_task(_panel_loop(panel, config)))
        try:
            if config.duration_s > 0:
                await asyncio.sleep(config.duration_s)
            else:
                await asyncio.Event().wait()
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _press_randomly(fleet: MqttFleet, every_s: float) -> None:
    while True:
        await asyncio.sleep(random.expovariate(1 / every_s))
        press = await fleet.press(random.choice(fleet.devices), random.choice(ALARM_TYPES))
        log.info("sim press %s %s seq=%s acked=%s", press.device.device_code, press.type, press.seq,
                 press.acked_at is not None)


async def _panel_loop(panel: Dc09Panel, config: SimConfig) -> None:
    """Link test each heartbeat period; a burglary alarm now and then when alarms are enabled."""
    while True:
        try:
            reply = await panel.link_test()
            if config.alarm_every_s > 0 and random.random() < config.heartbeat_s / config.alarm_every_s:
                code = random.choice((120, 121, 130, 110))
                reply = await panel.alarm_cid(1, code, zone=random.randint(1, 8))
            log.info("sim dc09 reply %s", reply.token)
        except (OSError, TimeoutError, ValueError) as exc:
            log.warning("sim dc09 error %s", exc)
            await panel.close()
        await asyncio.sleep(config.heartbeat_s)


def start_in_process(config: SimConfig) -> asyncio.Task[None]:
    """Start the simulator on the running loop; cancel the task to stop it."""
    return asyncio.create_task(run_simulator(config), name="device-simulator")


def demo_command(mqtt_url: str, school_codes: list[str], *, dc09: str | None = None,
                 heartbeat_s: float = 10.0, alarm_every_s: float = 300.0) -> list[str]:
    """The command line the demo starts beside the server (cwd = repository root)."""
    command = [sys.executable, "-m", "sim.devices", "--mqtt", mqtt_url,
               "--school-codes", ",".join(school_codes), "--heartbeat-s", str(heartbeat_s),
               "--alarm-every-s", str(alarm_every_s)]
    if dc09:
        command += ["--dc09", dc09, "--dc09-account", "auto"]
    return command


def spawn(args: list[str]) -> subprocess.Popen[bytes]:
    """Start `python -m sim.devices ARGS` as a child process (terminate() it to stop)."""
    return subprocess.Popen([sys.executable, "-m", "sim.devices", *args], cwd=ROOT)
