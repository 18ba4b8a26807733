"""Runtime hook app.py enters for the alarm domain: the device intake (MQTT, DC-09, presence)."""

from campusguard.alarm.intake import lifespan

__all__ = ["lifespan"]
