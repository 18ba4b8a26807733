"""Dashboard reports and the automatic weekly district briefing (周报), in Chinese, Excel + PDF."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from campusguard.core.auth import SYSTEM
from campusguard.core.db import utcnow
from campusguard.core.jobs import job, schedule
from campusguard.stats import overview
from campusguard.stats.metrics import GROUP_LABELS
from campusguard.stats.models import Briefing
from campusguard.stats.periods import Period, PeriodKind, last_closed, parse_period
from campusguard.stats.reports import Chart, Report, Section, Table, fmt_metric, render_pdf, render_xlsx
from campusguard.stats.scope import district_names

log = structlog.get_logger(__name__)

ALARM_TYPE_ZH = {"panic": "一键报警", "duress": "胁迫报警", "intrusion": "周界入侵", "fire": "火警",
                 "medical": "医疗求助", "tamper": "防拆报警", "watchlist_hit": "人脸预警",
                 "device_offline": "设备离线", "unknown": "其他"}
OUTCOME_ZH = {"real": "真实警情", "false_alarm": "误报", "drill": "演练", "test": "测试", "unknown": "未标注"}


def scope_title(data: dict[str, Any], names: dict[str, str], region: str | None, school: int | None) -> str:
    """'深圳市' / '南山区' / a school's name, for report titles."""
    if school is not None and data.get("schools"):
        return str(data["schools"][0]["name"])
    if region:
        return names.get(region, region)
    cities = [n for c, n in names.items() if c.endswith("00")]
    return cities[0] if cities else "全市"


def overview_report(data: dict[str, Any], title: str, heading: str = "校园安保数据报表") -> Report:
    """One report model from an overview payload (used by exports and briefings)."""
    period = data["period"]
    metrics = data["metrics"]
    sections: list[Section] = []
    summary = Section("总体指标", text=[
        f"统计周期：{period['label']}（{period['start']} 至 {period['end']}，不含结束日）",
        f"覆盖学校：{data['scope']['schools']} 所，区数：{data['scope']['districts']}"])
    rows = [[GROUP_LABELS.get(m["group"], (m["group"], ""))[0], m["label"], fmt_metric(m["unit"], m["value"]),
             "正常" if m["status"] == "ok" else "无数据"] for m in metrics]
    summary.tables.append(Table("指标一览", ["类别", "指标", "数值", "状态"], rows))
    sections.append(summary)
    alarms = data["alarms"]
    alarm_sec = Section("报警分析")
    if alarms["by_type"]:
        types = alarms["by_type"]
        alarm_sec.charts.append(Chart("报警按类型", [ALARM_TYPE_ZH.get(r["key"], r["key"]) for r in types],
                                      [float(r["count"]) for r in types], "起"))
    alarm_sec.charts.append(Chart("报警按时段", [f"{h}时" for h in range(24)],
                                  [float(v) for v in alarms["by_hour"]], "起"))
    if alarms["by_outcome"]:
        alarm_sec.tables.append(Table("处置结果", ["结果", "数量"],
                                      [[OUTCOME_ZH.get(r["key"], r["key"]), r["count"]]
                                       for r in alarms["by_outcome"]]))
    sections.append(alarm_sec)
    districts = data.get("districts") or []
    if districts:
        keys = [("alarms_total", "报警数"), ("camera_online_rate", "摄像机在线率"),
                ("alarm_points_networked_rate", "报警联网率"), ("hazards_found", "发现隐患"),
                ("hazards_overdue", "逾期隐患"), ("patrol_completion_rate", "巡逻完成率")]
        units = {m["name"]: m["unit"] for m in metrics}
        table = Table("分区统计", ["区", "学校数", *[k[1] for k in keys]],
                      [[d["district_name"], d["schools"],
                        *[fmt_metric(units.get(k, "count"), d["metrics"].get(k)) for k, _ in keys]]
                       for d in districts])
        sec = Section("分区对比", tables=[table])
        sec.charts.append(Chart("各区报警数", [d["district_name"] for d in districts],
                                [float(d["metrics"].get("alarms_total") or 0) for d in districts], "起"))
        sections.append(sec)
    trend = data.get("trend") or {}
    if trend.get("labels"):
        series = trend["series"].get("alarms_total") or []
        sections.append(Section("趋势", charts=[Chart(
            "报警趋势（按日）" if trend["granularity"] == "day" else "报警趋势（按月）",
            [lbl[5:] for lbl in trend["labels"]], [float(v or 0) for v in series], "起")]))
    schools = data.get("schools") or []
    if schools:
        status_zh = {"green": "正常", "amber": "关注", "red": "告警", "no_data": "无数据"}
        sections.append(Section("学校状态", tables=[Table(
            "学校状态一览", ["学校", "区", "状态", "摄像机在线率", "报警数"],
            [[s["name"], s["district_name"], status_zh.get(s["status"], s["status"]),
              fmt_metric("ratio", s["metrics"].get("camera_online_rate")),
              fmt_metric("count", s["metrics"].get("alarms_total"))] for s in schools])]))
    return Report(f"{title}{heading}", f"统计周期 {period['label']} · 生成时间 "
                                      f"{utcnow().strftime('%Y-%m-%d %H:%M')} UTC", sections, utcnow())


BRIEFING_JOB = "stats.briefing"
SETTLE = timedelta(minutes=5)
"""Delay before rendering, so a node that just started (or a short-lived test app) is not slowed down."""


def schedule_weekly(session: Session, *, now: datetime | None = None) -> int:
    """Queue one durable job per district lacking last week's briefing (cheap; runs hourly)."""
    week = last_closed(PeriodKind.WEEK, now or utcnow())
    made = 0
    for code in sorted(district_names(session)):
        exists = session.scalar(select(Briefing.id).where(Briefing.district_code == code,
                                                          Briefing.period == week.label))
        if exists is None:
            schedule(session, kind=BRIEFING_JOB, payload={"district": code, "period": week.label},
                     key=f"{BRIEFING_JOB}:{code}:{week.label}", run_at=utcnow() + SETTLE)
            made += 1
    return made


def build_briefing(session: Session, *, district: str, period: Period) -> Briefing | None:
    """Render and store one district's briefing; the read transaction ends before the slow rendering."""
    if session.scalar(select(Briefing.id).where(Briefing.district_code == district,
                                                Briefing.period == period.label)) is not None:
        return None
    names = district_names(session)
    data = overview.build_overview(session, SYSTEM, region=district, school=None, period=period)
    if not data["scope"]["schools"]:
        return None
    # End the read transaction: on SQLite every transaction holds the write lock, and rendering
    # a CJK PDF takes seconds. The row is written in a fresh, short transaction below.
    session.commit()
    report = overview_report(data, names[district], heading="校园安保周报")
    pdf, xlsx = render_pdf(report), render_xlsx(report)
    metrics = {m["name"]: m["value"] for m in data["metrics"]}
    summary: dict[str, Any] = {k: metrics.get(k) for k in (
        "alarms_total", "false_alarm_rate", "ack_time_p90_s", "camera_online_rate", "hazards_found",
        "hazards_overdue", "drills_done")}
    summary["schools"] = data["scope"]["schools"]
    row = Briefing(district_code=district, district_name=names[district], period=period.label,
                   summary=summary, pdf=pdf, xlsx=xlsx)
    session.add(row)
    session.flush()
    log.info("stats.briefing", district=district, period=period.label)
    return row


def generate_weekly(session: Session, *, now: datetime | None = None, period: Period | None = None) -> int:
    """Build last week's (or `period`'s) briefing for every district now (CLI, tests)."""
    week = period or last_closed(PeriodKind.WEEK, now or utcnow())
    made = 0
    for code in sorted(district_names(session)):
        made += build_briefing(session, district=code, period=week) is not None
    return made


@job(BRIEFING_JOB)
def _briefing_job(session: Session, payload: dict[str, Any]) -> None:
    build_briefing(session, district=str(payload["district"]), period=parse_period(str(payload["period"])))
