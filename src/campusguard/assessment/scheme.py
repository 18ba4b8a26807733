"""Assessment schemes as data: grouped indicators, each a named metric with a target, weight and rule."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from campusguard.stats.metrics import METRICS

SCHOOL_TYPES = ("kindergarten", "primary", "middle", "high", "boarding_high", "vocational", "special")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LinearRule(_Strict):
    """Full weight at `target`, nothing at `zero_at`, linear between (direction follows the two values)."""

    type: Literal["linear"] = "linear"
    target: float
    zero_at: float

    @model_validator(mode="after")
    def _distinct(self) -> LinearRule:
        if self.target == self.zero_at:
            raise ValueError("linear rule: target and zero_at must differ")
        return self


class ThresholdRule(_Strict):
    """Full weight when the value meets the target in `direction`, else `partial` of the weight."""

    type: Literal["threshold"] = "threshold"
    target: float
    direction: Literal[">=", "<="] = ">="
    partial: float = Field(default=0.0, ge=0.0, le=1.0)


class PenaltyRule(_Strict):
    """Start from the full weight and deduct `penalty` points per occurrence, never below zero."""

    type: Literal["penalty_per_occurrence"] = "penalty_per_occurrence"
    penalty: float = Field(gt=0)
    free: int = Field(default=0, ge=0, description="occurrences tolerated before deductions start")


Rule = Annotated[LinearRule | ThresholdRule | PenaltyRule, Field(discriminator="type")]


class Indicator(_Strict):
    """One scored line: a metric, its weight (points) and how its value turns into points."""

    key: str = Field(pattern=r"^[a-z0-9_]{1,48}$")
    metric: str
    label: str = Field(min_length=1, max_length=80)
    weight: float = Field(gt=0, le=100)
    rule: Rule
    missing: Literal["zero", "full"] = "zero"

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, value: str) -> str:
        if value not in METRICS:
            raise ValueError(f"unknown metric {value!r}")
        return value


class Group(_Strict):
    """A heading of the scheme (e.g. 联网在线) with its indicators."""

    key: str = Field(pattern=r"^[a-z0-9_]{1,32}$")
    label: str = Field(min_length=1, max_length=60)
    indicators: list[Indicator] = Field(min_length=1)


class SchemeDefinition(_Strict):
    """The body of a scheme version; stored as JSON and validated on every write."""

    school_types: list[str] = Field(default_factory=list, description="empty = every school type")
    groups: list[Group] = Field(min_length=1)

    @field_validator("school_types")
    @classmethod
    def _types(cls, value: list[str]) -> list[str]:
        unknown = sorted(set(value) - set(SCHOOL_TYPES))
        if unknown:
            raise ValueError(f"unknown school types {unknown}; known: {list(SCHOOL_TYPES)}")
        return value

    @model_validator(mode="after")
    def _unique_keys(self) -> SchemeDefinition:
        keys = [i.key for g in self.groups for i in g.indicators]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"indicator keys must be unique: {dupes}")
        if len({g.key for g in self.groups}) != len(self.groups):
            raise ValueError("group keys must be unique")
        return self

    @property
    def indicators(self) -> list[tuple[Group, Indicator]]:
        return [(g, i) for g in self.groups for i in g.indicators]

    @property
    def total_weight(self) -> float:
        return round(sum(i.weight for _, i in self.indicators), 4)

    @property
    def metrics(self) -> list[str]:
        return sorted({i.metric for _, i in self.indicators})

    def applies_to(self, school_type: str) -> bool:
        return not self.school_types or school_type in self.school_types


def default_scheme() -> SchemeDefinition:
    """The demo city's scheme (100 points), modelled on the Shenzhen/Qingdao assessment tables."""
    return SchemeDefinition.model_validate({
        "school_types": [],
        "groups": [
            {"key": "network", "label": "联网在线", "indicators": [
                {"key": "alarm_networked", "metric": "alarm_points_networked_rate", "label": "一键报警联网率",
                 "weight": 10, "rule": {"type": "linear", "target": 1.0, "zero_at": 0.5}},
                {"key": "camera_networked", "metric": "camera_networked_rate", "label": "重点部位视频联网率",
                 "weight": 10, "rule": {"type": "linear", "target": 1.0, "zero_at": 0.5}},
                {"key": "camera_online", "metric": "camera_online_rate", "label": "摄像机在线率",
                 "weight": 10, "rule": {"type": "threshold", "target": 0.95, "partial": 0.5}},
            ]},
            {"key": "response", "label": "快速反应", "indicators": [
                {"key": "ack_p90", "metric": "ack_time_p90_s", "label": "接警响应时间(P90)",
                 "weight": 15, "rule": {"type": "linear", "target": 60, "zero_at": 600}, "missing": "full"},
                {"key": "false_alarm", "metric": "false_alarm_rate", "label": "误报率",
                 "weight": 5, "rule": {"type": "threshold", "target": 0.2, "direction": "<="},
                 "missing": "full"},
                {"key": "drills", "metric": "drills_done", "label": "应急演练",
                 "weight": 10, "rule": {"type": "threshold", "target": 1}},
            ]},
            {"key": "hazard", "label": "隐患排查", "indicators": [
                {"key": "hazard_rectified", "metric": "hazard_rectification_rate", "label": "隐患整改率",
                 "weight": 10, "rule": {"type": "linear", "target": 1.0, "zero_at": 0.0}, "missing": "full"},
                {"key": "hazard_overdue", "metric": "hazards_overdue", "label": "逾期未整改隐患",
                 "weight": 10, "rule": {"type": "penalty_per_occurrence", "penalty": 2}},
            ]},
            {"key": "duty", "label": "勤务登记", "indicators": [
                {"key": "patrol", "metric": "patrol_completion_rate", "label": "巡逻打卡完成率",
                 "weight": 10, "rule": {"type": "linear", "target": 0.95, "zero_at": 0.5}},
                {"key": "rollcall", "metric": "rollcall_answer_rate", "label": "在线点名应答率",
                 "weight": 5, "rule": {"type": "linear", "target": 1.0, "zero_at": 0.6}},
            ]},
            {"key": "publicity", "label": "法制宣传", "indicators": [
                {"key": "bulletin", "metric": "bulletin_read_rate", "label": "宣传通知阅读率",
                 "weight": 5, "rule": {"type": "linear", "target": 0.9, "zero_at": 0.3}},
            ]},
        ],
    })
