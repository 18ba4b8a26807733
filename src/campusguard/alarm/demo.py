"""Demo simulators for rapid response: alarm buttons and panels of the demo city's schools."""

from __future__ import annotations

from sqlalchemy import select

from campusguard.config import Settings
from campusguard.core.db import Database
from campusguard.org.models import School


def simulators(settings: Settings, base_url: str) -> list[list[str]]:
    """MQTT buttons (when a broker is configured) and DC-09 panels (when the receiver listens)."""
    if not settings.mqtt_url and settings.dc09_port is None:
        return []
    from sim.devices.runner import demo_command

    db = Database(settings.db_url)
    try:
        with db.session() as session:
            codes = list(session.scalars(select(School.code).order_by(School.id).limit(6)).all())
    finally:
        db.dispose()
    dc09 = f"127.0.0.1:{settings.dc09_port}" if settings.dc09_port is not None else None
    mqtt = settings.mqtt_url or "mqtt://127.0.0.1:1883"
    return [demo_command(mqtt, codes, dc09=dc09, heartbeat_s=10.0, alarm_every_s=240.0)]
