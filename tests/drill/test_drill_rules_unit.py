"""Drill state machine and timing checks (pure)."""

import pytest

from campusguard.drill.rules import DrillTransitionRefused, check_timings, next_status


def test_transitions():
    s = next_status("planned", "start")
    s = next_status(s, "stop")
    assert next_status(s, "evaluate") == "evaluated"
    assert next_status("evaluated", "evaluate") == "evaluated"
    for status, action in [("planned", "stop"), ("planned", "evaluate"), ("in_progress", "start"),
                           ("completed", "cancel"), ("cancelled", "start")]:
        with pytest.raises(DrillTransitionRefused):
            next_status(status, action)


def test_timings():
    assert check_timings({"evacuation_s": 185}) == {"evacuation_s": 185.0}
    with pytest.raises(ValueError, match="unknown timing"):
        check_timings({"coffee_s": 3})
    with pytest.raises(ValueError):
        check_timings({"evacuation_s": -1})
    with pytest.raises(ValueError):
        check_timings({"evacuation_s": 10**9})
