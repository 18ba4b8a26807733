"""Chinese Excel/PDF of an assessment run: ranking table, district averages chart, indicator breakdown."""

from __future__ import annotations

from collections import defaultdict

from campusguard.assessment.models import Result, Run
from campusguard.assessment.service import district_averages
from campusguard.stats.reports import Chart, Report, Section, Table

TYPE_ZH = {"kindergarten": "幼儿园", "primary": "小学", "middle": "中学", "boarding_high": "高中(寄宿)"}


def run_report(run: Run, items: list[Result]) -> Report:
    """Report model of a run restricted to the rows the caller may see."""
    groups: list[str] = []
    for r in items:
        for key in r.groups.get("subtotals") or {}:
            if key not in groups:
                groups.append(key)
    columns = [
        "全市排名",
        "学校",
        "区",
        "类型",
        "总分",
        "区内排名",
        "同类排名",
        *[f"{g}小计" for g in groups],
    ]
    ranking = Table(
        "考核得分与排名",
        columns,
        [
            [
                r.rank,
                r.school_name,
                r.district_name,
                TYPE_ZH.get(r.school_type, r.school_type),
                r.score,
                r.rank_district,
                r.rank_type,
                *[(r.groups.get("subtotals") or {}).get(g) for g in groups],
            ]
            for r in items
        ],
    )
    averages = district_averages(items)
    chart = Chart("各区平均得分", [a[0] for a in averages], [a[1] for a in averages], "分")
    per_indicator: dict[str, list[float]] = defaultdict(list)
    weights: dict[str, float] = {}
    for r in items:
        for line in r.lines:
            per_indicator[line["label"]].append(float(line["score"]))
            weights[line["label"]] = float(line["weight"])
    indicators = Table(
        "指标得分情况",
        ["指标", "分值", "平均得分", "得分率"],
        [
            [
                k,
                weights[k],
                round(sum(v) / len(v), 2),
                f"{sum(v) / len(v) / weights[k] * 100:.1f}%" if weights[k] else "—",
            ]
            for k, v in per_indicator.items()
        ],
    )
    head = Section(
        "考核结果",
        text=[
            f"考核周期：{run.period}（{run.period_start.isoformat()} 至 "
            f"{run.period_end.isoformat()}，不含结束日）",
            f"参评学校：{len(items)} 所；平均分：{run.summary.get('average')}；"
            f"{'周期已结束，输入已冻结，可复核' if run.closed else '周期未结束，结果为进行中数据'}",
            f"结果摘要（SHA-256）：{run.result_digest[:16]}…",
        ],
        tables=[ranking],
        charts=[chart],
    )
    schemes = ", ".join(run.summary.get("schemes", []))
    return Report(
        f"校园安保考核评价 {run.period}",
        f"考核批次 #{run.id} · 方案 {schemes}",
        [head, Section("指标分析", tables=[indicators])],
    )
