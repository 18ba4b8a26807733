"""The named metrics of the platform: unit, how each is computed from rollup series, and what feeds it.

Dashboards, drill-downs and assessment schemes refer to metrics only by these names, so a scheme stays
valid while the domains behind a metric change. Series are the stored counters (see `rollup`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a metric is derived from its series."""

    COUNT = "count"  # sum of a counter series over the period
    RATE = "rate"  # sum(numerator) / sum(denominator) over the period
    PERCENTILE = "percentile"  # quantile of a merged duration histogram
    LATEST = "latest"  # value of a snapshot series on the last snapshotted day of the period
    LATEST_RATE = "latest_rate"  # latest numerator / latest denominator (e.g. networked share today)


class Source(StrEnum):
    """Where the series come from."""

    EVENTS = "events"  # bus events handled by stats.handlers
    DEVICES = "devices"  # daily device snapshots from the device service
    PROVIDER = "provider"  # a domain's registered metric provider


class Unit(StrEnum):
    COUNT = "count"
    RATIO = "ratio"  # 0..1, shown as %
    SECONDS = "s"


@dataclass(frozen=True, slots=True)
class Metric:
    """One named, documented indicator."""

    name: str
    kind: Kind
    unit: Unit
    group: str
    label_zh: str
    label_en: str
    source: Source
    series: str = ""  # COUNT / PERCENTILE / LATEST
    numerator: str = ""  # RATE / LATEST_RATE
    denominator: str = ""
    quantile: float = 0.0
    higher_is_better: bool = True
    events: tuple[str, ...] = field(default=())

    @property
    def series_used(self) -> tuple[str, ...]:
        """Every stored series this metric reads."""
        return tuple(s for s in (self.series, self.numerator, self.denominator) if s)

    @property
    def drill_series(self) -> str:
        """The series whose facts are the records behind this number."""
        return self.series or self.numerator


# --- stored series -----------------------------------------------------------------------------
# Event-fed counters (n = occurrences, total = sum of values).
S_ALARM_RAISED = "alarm.raised"  # dims: "", "type:<t>", "hour:<h>"
S_ALARM_RESOLVED = "alarm.resolved"  # dims: "", "outcome:<o>"
S_ALARM_FALSE = "alarm.false"
S_ALARM_ESCALATED = "alarm.escalated"
S_ALARM_ACK = "alarm.ack_s"  # histogram: dims "" (n, sum) and "b:<bucket>"
S_ALARM_ARRIVAL = "alarm.arrival_s"  # histogram
S_ALARM_TEST = "alarm.test"  # test presses (rollout), not counted as alarms
S_DRILL_DONE = "drill.done"
S_HAZARD_FOUND = "hazard.found"
S_HAZARD_RECTIFIED = "hazard.rectified"
S_HAZARD_OVERDUE = "hazard.overdue"
S_PATROL_PLANNED = "patrol.planned"
S_PATROL_DONE = "patrol.done"
S_ROLLCALL_ASKED = "rollcall.asked"
S_ROLLCALL_ANSWERED = "rollcall.answered"
S_FACE_ALERT = "face.alert"
S_BULLETIN_DELIVERED = "bulletin.delivered"
S_BULLETIN_READ = "bulletin.read"
S_VIDEO_DIAG = "video.diagnostic"  # dims "kind:<k>"
# Snapshot series (one value per school and day, replaced not added).
S_ALARM_POINTS = "dev.alarm_point.total"
S_ALARM_POINTS_NET = "dev.alarm_point.networked"
S_ALARM_POINTS_ON = "dev.alarm_point.online"
S_CAMERAS = "dev.camera.total"
S_CAMERAS_NET = "dev.camera.networked"
S_CAMERAS_ON = "dev.camera.online"
S_FACE_TERM = "dev.face_terminal.total"
S_FACE_TERM_ON = "dev.face_terminal.online"
S_STAFFING_SCHOOLS = "guard.staffing.assessed"
S_STAFFING_OK = "guard.staffing.compliant"
S_RETENTION_CAMERAS = "video.retention.cameras"
S_RETENTION_OK = "video.retention.compliant"

HISTOGRAM_SERIES = frozenset({S_ALARM_ACK, S_ALARM_ARRIVAL})
SNAPSHOT_SERIES = frozenset({
    S_ALARM_POINTS, S_ALARM_POINTS_NET, S_ALARM_POINTS_ON, S_CAMERAS, S_CAMERAS_NET, S_CAMERAS_ON,
    S_FACE_TERM, S_FACE_TERM_ON, S_STAFFING_SCHOOLS, S_STAFFING_OK, S_RETENTION_CAMERAS, S_RETENTION_OK,
})

_ALARM_EVENTS = ("alarm.raised",)
_RESOLVE_EVENTS = ("alarm.resolved", "alarm.closed")


def _m(name: str, kind: Kind, unit: Unit, group: str, zh: str, en: str, source: Source,
       **kw: object) -> Metric:
    return Metric(name, kind, unit, group, zh, en, source, **kw)  # type: ignore[arg-type]


CATALOGUE: tuple[Metric, ...] = (
    # networking (device snapshots)
    _m("alarm_points_total", Kind.LATEST, Unit.COUNT, "network", "报警点位数", "Alarm points",
       Source.DEVICES, series=S_ALARM_POINTS, events=("device.registered",)),
    _m("alarm_points_networked", Kind.LATEST, Unit.COUNT, "network", "已联网报警点位",
       "Alarm points networked",
       Source.DEVICES, series=S_ALARM_POINTS_NET, events=("device.online",)),
    _m("alarm_points_networked_rate", Kind.LATEST_RATE, Unit.RATIO, "network", "报警点位联网率",
       "Alarm points networked rate", Source.DEVICES, numerator=S_ALARM_POINTS_NET,
       denominator=S_ALARM_POINTS, events=("device.online",)),
    _m("alarm_points_online_rate", Kind.RATE, Unit.RATIO, "network", "报警点位在线率",
       "Alarm points online rate", Source.DEVICES, numerator=S_ALARM_POINTS_ON, denominator=S_ALARM_POINTS,
       events=("device.online", "device.offline")),
    _m("cameras_total", Kind.LATEST, Unit.COUNT, "network", "摄像机数", "Cameras", Source.DEVICES,
       series=S_CAMERAS, events=("device.registered",)),
    _m("cameras_networked", Kind.LATEST, Unit.COUNT, "network", "已联网摄像机", "Cameras networked",
       Source.DEVICES, series=S_CAMERAS_NET, events=("device.online",)),
    _m("camera_networked_rate", Kind.LATEST_RATE, Unit.RATIO, "network", "重点部位视频联网率",
       "Camera networked rate", Source.DEVICES, numerator=S_CAMERAS_NET, denominator=S_CAMERAS,
       events=("device.online",)),
    _m("camera_online_rate", Kind.RATE, Unit.RATIO, "network", "摄像机在线率", "Camera online rate",
       Source.DEVICES, numerator=S_CAMERAS_ON, denominator=S_CAMERAS,
       events=("device.online", "device.offline")),
    _m("face_terminal_online_rate", Kind.RATE, Unit.RATIO, "network", "人脸终端在线率",
       "Face terminal online rate", Source.DEVICES, numerator=S_FACE_TERM_ON, denominator=S_FACE_TERM,
       events=("device.online", "device.offline")),
    # rapid response
    _m("alarms_total", Kind.COUNT, Unit.COUNT, "alarm", "报警总数", "Alarms", Source.EVENTS,
       series=S_ALARM_RAISED, higher_is_better=False, events=_ALARM_EVENTS),
    _m("ack_time_p50_s", Kind.PERCENTILE, Unit.SECONDS, "alarm", "接警响应时间中位数", "Ack time p50",
       Source.EVENTS, series=S_ALARM_ACK, quantile=0.5, higher_is_better=False,
       events=("alarm.acknowledged",)),
    _m("ack_time_p90_s", Kind.PERCENTILE, Unit.SECONDS, "alarm", "接警响应时间P90", "Ack time p90",
       Source.EVENTS, series=S_ALARM_ACK, quantile=0.9, higher_is_better=False,
       events=("alarm.acknowledged",)),
    _m("arrival_time_p50_s", Kind.PERCENTILE, Unit.SECONDS, "alarm", "到场时间中位数", "Arrival time p50",
       Source.EVENTS, series=S_ALARM_ARRIVAL, quantile=0.5, higher_is_better=False,
       events=("alarm.on_scene",)),
    _m("arrival_time_p90_s", Kind.PERCENTILE, Unit.SECONDS, "alarm", "到场时间P90", "Arrival time p90",
       Source.EVENTS, series=S_ALARM_ARRIVAL, quantile=0.9, higher_is_better=False,
       events=("alarm.on_scene",)),
    _m("false_alarm_rate", Kind.RATE, Unit.RATIO, "alarm", "误报率", "False alarm rate", Source.EVENTS,
       numerator=S_ALARM_FALSE, denominator=S_ALARM_RESOLVED, higher_is_better=False,
       events=_RESOLVE_EVENTS),
    _m("alarms_escalated", Kind.COUNT, Unit.COUNT, "alarm", "超时升级报警", "Alarms escalated",
       Source.EVENTS, series=S_ALARM_ESCALATED, higher_is_better=False, events=("alarm.escalated",)),
    _m("drills_done", Kind.COUNT, Unit.COUNT, "drill", "应急演练次数", "Drills done", Source.EVENTS,
       series=S_DRILL_DONE, events=("drill.completed", "drill.recorded")),
    # hazards
    _m("hazards_found", Kind.COUNT, Unit.COUNT, "hazard", "发现隐患", "Hazards found", Source.EVENTS,
       series=S_HAZARD_FOUND, events=("hazard.reported",)),
    _m("hazards_rectified", Kind.COUNT, Unit.COUNT, "hazard", "已整改隐患", "Hazards rectified",
       Source.EVENTS, series=S_HAZARD_RECTIFIED, events=("hazard.rectified", "hazard.verified")),
    _m("hazards_overdue", Kind.COUNT, Unit.COUNT, "hazard", "逾期隐患", "Hazards overdue", Source.EVENTS,
       series=S_HAZARD_OVERDUE, higher_is_better=False, events=("hazard.overdue",)),
    _m("hazard_rectification_rate", Kind.RATE, Unit.RATIO, "hazard", "隐患整改率",
       "Hazard rectification rate", Source.EVENTS, numerator=S_HAZARD_RECTIFIED, denominator=S_HAZARD_FOUND,
       events=("hazard.reported", "hazard.verified")),
    # duty
    _m("patrol_completion_rate", Kind.RATE, Unit.RATIO, "patrol", "巡逻打卡完成率", "Patrol completion rate",
       Source.EVENTS, numerator=S_PATROL_DONE, denominator=S_PATROL_PLANNED,
       events=("patrol.checkin", "patrol.anomaly")),
    _m("rollcall_answer_rate", Kind.RATE, Unit.RATIO, "patrol", "在线点名应答率", "Roll-call answer rate",
       Source.EVENTS, numerator=S_ROLLCALL_ANSWERED, denominator=S_ROLLCALL_ASKED,
       events=("rollcall.called", "rollcall.answered")),
    _m("guard_staffing_compliant", Kind.LATEST_RATE, Unit.RATIO, "patrol", "保安配备达标率",
       "Guard staffing compliance", Source.PROVIDER, numerator=S_STAFFING_OK, denominator=S_STAFFING_SCHOOLS),
    # early warning / publicity / video
    _m("face_alerts", Kind.COUNT, Unit.COUNT, "face", "人脸预警", "Face alerts", Source.EVENTS,
       series=S_FACE_ALERT, higher_is_better=False, events=("face.alert", "face.hit")),
    _m("bulletin_read_rate", Kind.RATE, Unit.RATIO, "bulletin", "宣传通知阅读率", "Bulletin read rate",
       Source.EVENTS, numerator=S_BULLETIN_READ, denominator=S_BULLETIN_DELIVERED,
       events=("bulletin.published", "bulletin.read")),
    _m("video_retention_compliant", Kind.LATEST_RATE, Unit.RATIO, "video", "录像保存达标率(≥30天)",
       "Video retention compliance", Source.PROVIDER, numerator=S_RETENTION_OK,
       denominator=S_RETENTION_CAMERAS, events=("video.diagnostic",)),
)

METRICS: dict[str, Metric] = {m.name: m for m in CATALOGUE}

GROUP_LABELS: dict[str, tuple[str, str]] = {
    "network": ("联网在线", "Networking"),
    "alarm": ("快速反应", "Rapid response"),
    "drill": ("应急演练", "Drills"),
    "hazard": ("隐患排查", "Hazards"),
    "patrol": ("勤务登记", "Duty"),
    "face": ("预警防范", "Early warning"),
    "bulletin": ("法制宣传", "Publicity"),
    "video": ("视频研判", "Video"),
}


def get_metric(name: str) -> Metric:
    """Look a metric up by name; KeyError names the valid choices."""
    try:
        return METRICS[name]
    except KeyError:
        raise KeyError(f"unknown metric {name!r}; known: {', '.join(sorted(METRICS))}") from None
