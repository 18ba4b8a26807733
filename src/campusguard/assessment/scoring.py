"""Pure scoring: metric values -> explained indicator lines -> school score -> competition ranks.

Every line carries the value, the rule and a sentence in Chinese, and the school score is the exact
sum of the rounded line scores, so an explanation always adds up to the published number.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, TypeVar

from campusguard.assessment.scheme import (
    Indicator,
    LinearRule,
    PenaltyRule,
    SchemeDefinition,
    ThresholdRule,
)
from campusguard.stats.metrics import METRICS, Unit

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Line:
    """One indicator's contribution to a school's score."""

    group: str
    indicator: str
    label: str
    metric: str
    value: float | None
    weight: float
    score: float
    rule: dict[str, Any]
    note: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fmt(metric: str, value: float) -> str:
    unit = METRICS[metric].unit
    if unit is Unit.RATIO:
        return f"{value * 100:.1f}%"
    if unit is Unit.SECONDS:
        return f"{value:.0f}秒"
    return f"{value:g}"


def _linear(rule: LinearRule, value: float) -> float:
    fraction = (value - rule.zero_at) / (rule.target - rule.zero_at)
    return min(1.0, max(0.0, fraction))


def _threshold(rule: ThresholdRule, value: float) -> float:
    met = value >= rule.target if rule.direction == ">=" else value <= rule.target
    return 1.0 if met else rule.partial


def score_indicator(group: str, ind: Indicator, value: float | None) -> Line:
    """Score one indicator; a missing value follows the indicator's `missing` policy."""
    rule = ind.rule.model_dump()
    if value is None:
        points = ind.weight if ind.missing == "full" else 0.0
        note = "无数据，按满分计" if ind.missing == "full" else "无数据，计0分"
        return Line(group, ind.key, ind.label, ind.metric, None, ind.weight, round(points, 2), rule, note)
    shown = _fmt(ind.metric, value)
    r = ind.rule
    if isinstance(r, LinearRule):
        fraction = _linear(r, value)
        points = ind.weight * fraction
        note = (f"实际{shown}，目标{_fmt(ind.metric, r.target)}得满分、{_fmt(ind.metric, r.zero_at)}得0分，"
                f"线性得分{fraction * 100:.1f}%")
    elif isinstance(r, ThresholdRule):
        fraction = _threshold(r, value)
        points = ind.weight * fraction
        verdict = "达标" if fraction == 1.0 else "未达标"
        note = f"实际{shown}，要求{r.direction}{_fmt(ind.metric, r.target)}，{verdict}"
    else:
        assert isinstance(r, PenaltyRule)
        counted = max(0.0, value - r.free)
        points = max(0.0, ind.weight - r.penalty * counted)
        note = f"发生{value:g}次（免扣{r.free}次），每次扣{r.penalty:g}分，最低0分"
    return Line(group, ind.key, ind.label, ind.metric, value, ind.weight, round(points, 2), rule, note)


def score_school(scheme: SchemeDefinition, values: Mapping[str, float | None]) -> tuple[float, list[Line]]:
    """All lines of one school and their exact sum."""
    lines = [score_indicator(g.key, ind, values.get(ind.metric)) for g, ind in scheme.indicators]
    total = round(sum(line.score for line in lines), 2)
    return total, lines


def competition_ranks(
    scores: Mapping[K, float], group_of: Callable[[K], Hashable] | None = None
) -> dict[K, int]:
    """Standard competition ranking (1, 1, 3) by descending score, optionally within groups."""
    groups: dict[Hashable, list[K]] = defaultdict(list)
    for key in scores:
        groups[group_of(key) if group_of else None].append(key)
    ranks: dict[K, int] = {}
    for members in groups.values():
        ordered = sorted(members, key=lambda k: -round(scores[k], 2))
        previous: float | None = None
        rank = 0
        for position, key in enumerate(ordered, start=1):
            value = round(scores[key], 2)
            if value != previous:
                rank, previous = position, value
            ranks[key] = rank
    return ranks


def group_subtotals(lines: Iterable[Line]) -> dict[str, float]:
    """Points per scheme group (for the report's summary columns)."""
    totals: dict[str, float] = defaultdict(float)
    for line in lines:
        totals[line.group] += line.score
    return {k: round(v, 2) for k, v in totals.items()}
