"""CAP 1.2 messages for the police command centre: one alert per incident, updates and cancels after."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.etree import ElementTree as ET  # noqa: S405 - only used to build, never to parse input

from campusguard.alarm.cap_schema import CAP_NS, validate_cap

# alarm type -> (CAP category, event text in Chinese, responseType)
CATEGORY = {
    "panic": ("Security", "一键报警", "Execute"),
    "duress": ("Security", "胁迫报警", "Execute"),
    "intrusion": ("Security", "周界入侵", "Monitor"),
    "fire": ("Fire", "火警", "Evacuate"),
    "medical": ("Health", "医疗急救", "Execute"),
    "tamper": ("Security", "设备防拆报警", "Assess"),
    "test": ("Other", "测试报警", "None"),
    "device_offline": ("Infra", "报警设备离线", "Assess"),
    "watchlist_hit": ("Security", "重点人员预警", "Monitor"),
}
SEVERITY = {"critical": "Extreme", "high": "Severe", "medium": "Moderate", "low": "Minor"}


class CapError(ValueError):
    """A message that does not conform to CAP 1.2 (a bug on our side: never sent)."""


@dataclass
class CapIncident:
    """What a CAP message needs to know about an incident."""

    incident_id: int
    alarm_type: str
    priority: str
    is_drill: bool
    is_test: bool
    raised_at: datetime
    school_name: str
    school_code: str
    district_code: str | None
    area_name: str | None
    lat: float | None
    lon: float | None
    status: str = "raised"
    outcome: str | None = None
    headline: str = ""
    description: str = ""
    cameras: list[str] = field(default_factory=list)
    web: str | None = None


def cap_time(value: datetime) -> str:
    """CAP dateTime: seconds precision and an explicit numeric offset (CAP forbids "Z")."""
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S+00:00")


def identifier(sender: str, incident_id: int, seq: int) -> str:
    """Unique message id: sender, incident and message number (no spaces, commas, < or &)."""
    return f"{sender}.incident.{incident_id}.{seq}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    if text is not None:
        el.text = text
    return el


def _pair(parent: ET.Element, tag: str, name: str, value: str) -> None:
    el = _sub(parent, tag)
    _sub(el, "valueName", name)
    _sub(el, "value", value)


def build_cap(
    inc: CapIncident,
    *,
    sender: str,
    sent: datetime,
    msg_type: str = "Alert",
    seq: int = 1,
    references: list[tuple[str, datetime]] | None = None,
    language: str = "zh-CN",
) -> bytes:
    """Serialise one incident message; drills go out as Exercise and test presses as Test."""
    status = "Exercise" if inc.is_drill else "Test" if inc.is_test else "Actual"
    category, event, response = CATEGORY.get(inc.alarm_type, ("Other", inc.alarm_type, "Assess"))
    if msg_type == "Update" and inc.status == "resolved":
        response = "AllClear"
    ET.register_namespace("", CAP_NS)
    alert = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(alert, "identifier", identifier(sender, inc.incident_id, seq))
    _sub(alert, "sender", sender)
    _sub(alert, "sent", cap_time(sent))
    _sub(alert, "status", status)
    _sub(alert, "msgType", msg_type)
    _sub(alert, "source", "CampusGuard")
    _sub(alert, "scope", "Restricted")
    _sub(alert, "restriction", "仅限公安指挥中心及教育主管部门使用")
    if inc.is_drill:
        _sub(alert, "note", "演练 (drill): not a real emergency")
    if references:
        _sub(alert, "references", " ".join(f"{sender},{ident},{cap_time(at)}" for ident, at in references))
    _sub(alert, "incidents", f"campusguard-incident-{inc.incident_id}")
    info = _sub(alert, "info")
    _sub(info, "language", language)
    _sub(info, "category", category)
    _sub(info, "event", event)
    _sub(info, "responseType", response)
    _sub(info, "urgency", "Past" if inc.status == "resolved" else "Immediate")
    _sub(info, "severity", SEVERITY.get(inc.priority, "Unknown"))
    _sub(info, "certainty", "Unlikely" if inc.outcome == "false_alarm" else "Observed")
    _pair(info, "eventCode", "campusguard:alarm_type", inc.alarm_type)
    _sub(info, "onset", cap_time(inc.raised_at))
    _sub(info, "senderName", inc.school_name)
    _sub(info, "headline", (inc.headline or f"{inc.school_name} {event}")[:160])
    if inc.description:
        _sub(info, "description", inc.description)
    if inc.web:
        _sub(info, "web", inc.web)
    _pair(info, "parameter", "school_code", inc.school_code)
    if inc.district_code:
        _pair(info, "parameter", "district_code", inc.district_code)
    _pair(info, "parameter", "incident_status", inc.status)
    if inc.outcome:
        _pair(info, "parameter", "outcome", inc.outcome)
    for cam in inc.cameras:
        _pair(info, "parameter", "camera", cam)
    area = _sub(info, "area")
    _sub(area, "areaDesc", " ".join(x for x in (inc.school_name, inc.area_name) if x))
    if inc.lat is not None and inc.lon is not None:
        _sub(area, "circle", f"{inc.lat:.6f},{inc.lon:.6f} 0.2")
    _pair(area, "geocode", "school_code", inc.school_code)
    xml = ET.tostring(alert, encoding="utf-8", xml_declaration=True)
    errors = validate_cap(xml)
    if errors:
        raise CapError("; ".join(errors))
    return xml
