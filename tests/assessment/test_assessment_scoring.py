"""Scoring rules, missing-data policy, explanation sums and competition ranking."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from campusguard.assessment.scheme import Indicator, SchemeDefinition, default_scheme
from campusguard.assessment.scoring import competition_ranks, score_indicator, score_school


def _ind(
    rule: dict, metric: str = "camera_online_rate", weight: float = 10, missing: str = "zero"
) -> Indicator:
    return Indicator.model_validate(
        {"key": "k", "metric": metric, "label": "L", "weight": weight, "rule": rule, "missing": missing}
    )


def test_linear_higher_is_better() -> None:
    ind = _ind({"type": "linear", "target": 1.0, "zero_at": 0.5})
    assert score_indicator("g", ind, 1.0).score == 10
    assert score_indicator("g", ind, 0.75).score == 5
    assert score_indicator("g", ind, 0.2).score == 0
    assert score_indicator("g", ind, 1.2).score == 10


def test_linear_lower_is_better() -> None:
    ind = _ind({"type": "linear", "target": 60, "zero_at": 600}, metric="ack_time_p90_s", weight=15)
    assert score_indicator("g", ind, 30).score == 15
    assert score_indicator("g", ind, 330).score == 7.5
    assert score_indicator("g", ind, 900).score == 0


def test_threshold_both_directions_and_partial() -> None:
    up = _ind({"type": "threshold", "target": 0.95, "partial": 0.5})
    assert score_indicator("g", up, 0.95).score == 10
    assert score_indicator("g", up, 0.9).score == 5
    down = _ind({"type": "threshold", "target": 0.2, "direction": "<="}, metric="false_alarm_rate")
    assert score_indicator("g", down, 0.1).score == 10
    assert score_indicator("g", down, 0.3).score == 0


def test_penalty_per_occurrence() -> None:
    ind = _ind({"type": "penalty_per_occurrence", "penalty": 2, "free": 1}, metric="hazards_overdue")
    assert score_indicator("g", ind, 0).score == 10
    assert score_indicator("g", ind, 1).score == 10
    assert score_indicator("g", ind, 3).score == 6
    assert score_indicator("g", ind, 40).score == 0


def test_missing_policy_and_note() -> None:
    zero = score_indicator("g", _ind({"type": "threshold", "target": 1}), None)
    full = score_indicator("g", _ind({"type": "threshold", "target": 1}, missing="full"), None)
    assert (zero.score, full.score) == (0, 10)
    assert "无数据" in zero.note and "无数据" in full.note


def test_school_score_is_sum_of_lines() -> None:
    scheme = default_scheme()
    assert scheme.total_weight == 100
    values = {
        "alarm_points_networked_rate": 0.913,
        "camera_networked_rate": 0.777,
        "camera_online_rate": 0.96,
        "ack_time_p90_s": 123.4,
        "drills_done": 0,
        "hazards_overdue": 3,
        "patrol_completion_rate": 0.8133,
        "rollcall_answer_rate": 0.71,
    }
    total, lines = score_school(scheme, values)
    assert total == round(sum(line.score for line in lines), 2)
    assert 0 < total < 100
    assert {line.indicator for line in lines} == {i.key for _, i in scheme.indicators}


def test_competition_ranking_with_ties_and_groups() -> None:
    scores = {1: 90.0, 2: 95.0, 3: 90.0, 4: 80.0, 5: 99.0, 6: 99.0}
    assert competition_ranks(scores) == {5: 1, 6: 1, 2: 3, 1: 4, 3: 4, 4: 6}
    by_group = competition_ranks(scores, lambda k: k % 2)
    assert by_group == {2: 2, 4: 3, 6: 1, 5: 1, 1: 2, 3: 2}


def test_scheme_validation() -> None:
    with pytest.raises(ValidationError):
        _ind({"type": "linear", "target": 1, "zero_at": 1})
    with pytest.raises(ValidationError):
        _ind({"type": "threshold", "target": 1}, metric="no_such_metric")
    with pytest.raises(ValidationError):
        SchemeDefinition.model_validate(
            {
                "groups": [
                    {
                        "key": "a",
                        "label": "A",
                        "indicators": [
                            {
                                "key": "x",
                                "metric": "drills_done",
                                "label": "x",
                                "weight": 1,
                                "rule": {"type": "threshold", "target": 1},
                            },
                            {
                                "key": "x",
                                "metric": "drills_done",
                                "label": "y",
                                "weight": 1,
                                "rule": {"type": "threshold", "target": 1},
                            },
                        ],
                    }
                ]
            }
        )
    with pytest.raises(ValidationError):
        groups = default_scheme().model_dump()["groups"]
        SchemeDefinition.model_validate({"school_types": ["castle"], "groups": groups})
