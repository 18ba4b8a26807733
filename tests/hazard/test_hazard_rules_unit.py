"""Hazard state machine, deadlines and escalation ladder (pure)."""

from datetime import UTC, datetime, timedelta

import pytest

from campusguard.hazard.rules import (
    HazardPolicy,
    Tally,
    TransitionRefused,
    allowed_actions,
    next_status,
)

T0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_happy_path_and_send_back():
    s = next_status("reported", "assign")
    assert s == "assigned"
    s = next_status(s, "rectify")
    assert s == "rectified"
    s = next_status(s, "reject")
    assert s == "rejected"
    s = next_status(s, "rectify")
    assert next_status(s, "verify") == "verified"


@pytest.mark.parametrize(("status", "action"), [
    ("reported", "verify"), ("reported", "rectify"), ("assigned", "verify"), ("assigned", "reject"),
    ("verified", "assign"), ("verified", "reject"), ("rectified", "assign"), ("rejected", "verify"),
])
def test_out_of_order_refused(status, action):
    with pytest.raises(TransitionRefused) as exc:
        next_status(status, action)
    assert action in str(exc.value)


def test_allowed_actions():
    assert allowed_actions("reported") == ["assign"]
    assert allowed_actions("rectified") == ["verify", "reject"]
    assert allowed_actions("verified") == []


def test_deadline_by_severity_defaults():
    p = HazardPolicy()
    assert p.deadline("critical", T0) == T0 + timedelta(hours=24)
    assert p.deadline("high", T0) == T0 + timedelta(days=3)
    assert p.deadline("medium", T0) == T0 + timedelta(days=7)
    assert p.deadline("low", T0) == T0 + timedelta(days=15)
    with pytest.raises(ValueError):
        p.deadline("urgent", T0)


def test_deadline_configurable_from_env(monkeypatch):
    monkeypatch.setenv("CG_HAZARD_DEADLINE_HOURS", '{"critical": 4, "high": 8, "medium": 12, "low": 48}')
    assert HazardPolicy().deadline("critical", T0) == T0 + timedelta(hours=4)


def test_escalation_ladder():
    p = HazardPolicy()
    due = p.deadline("critical", T0)
    assert p.escalation_level("critical", due, due) == 0
    assert p.escalation_level("critical", due, due + timedelta(minutes=1)) == 1
    assert p.escalation_level("critical", due, due + timedelta(hours=25)) == 2
    assert p.escalation_level("critical", due, due + timedelta(days=30)) == 3


def test_tally_counts_rectified_and_open_overdue():
    t = Tally("S1")
    t.add("verified", "high", overdue=True)
    t.add("rectified", "low", overdue=False)
    t.add("assigned", "critical", overdue=True)
    t.add("reported", "low", overdue=False)
    assert (t.found, t.rectified, t.verified, t.open, t.overdue) == (4, 2, 1, 2, 1)
    assert t.rectification_rate == 0.5
    assert t.by_severity == {"high": 1, "low": 2, "critical": 1}
