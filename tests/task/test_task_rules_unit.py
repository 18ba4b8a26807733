"""Liaison task state machine, GPS site check and recurrence (pure)."""

from datetime import UTC, datetime

import pytest

from campusguard.task.rules import (
    TaskTransitionRefused,
    advance,
    check_site,
    distance_m,
    next_status,
    occurrences,
)

SCHOOL = (22.5431, 114.0579)  # Futian, Shenzhen


def test_transitions():
    assert next_status("open", "checkin") == "checked_in"
    assert next_status("checked_in", "checkin") == "checked_in"
    assert next_status("checked_in", "complete") == "done"
    with pytest.raises(TaskTransitionRefused):
        next_status("open", "complete")
    with pytest.raises(TaskTransitionRefused):
        next_status("done", "checkin")


def test_distance_known_value():
    # 0.01 degree of latitude is about 1.11 km
    assert distance_m(22.0, 114.0, 22.01, 114.0) == pytest.approx(1111.95, rel=1e-3)


def test_site_check():
    ok = check_site(lat=22.5433, lon=114.0580, accuracy_m=15, school_lat=SCHOOL[0], school_lon=SCHOOL[1],
                    radius_m=500, max_accuracy_m=200)
    assert ok.within and ok.reason == "ok" and ok.distance_m is not None and ok.distance_m < 50
    far = check_site(lat=22.60, lon=114.10, accuracy_m=10, school_lat=SCHOOL[0], school_lon=SCHOOL[1],
                     radius_m=500, max_accuracy_m=200)
    assert not far.within and far.reason == "too_far" and far.distance_m > 5000
    vague = check_site(lat=SCHOOL[0], lon=SCHOOL[1], accuracy_m=900, school_lat=SCHOOL[0],
                       school_lon=SCHOOL[1], radius_m=500, max_accuracy_m=200)
    assert not vague.within and vague.reason == "inaccurate"
    nowhere = check_site(lat=1, lon=1, accuracy_m=None, school_lat=None, school_lon=None, radius_m=500,
                         max_accuracy_m=200)
    assert nowhere.within and nowhere.reason == "school_unlocated" and nowhere.distance_m is None


def test_recurrence():
    t = datetime(2026, 1, 31, 9, 0, tzinfo=UTC)
    assert advance(t, "monthly", 1) == datetime(2026, 2, 28, 9, 0, tzinfo=UTC)
    assert advance(t, "weekly", 2).day == 14
    assert advance(t, "daily", 1).day == 1
    occ = occurrences(t, "weekly", 1, datetime(2026, 3, 1, tzinfo=UTC))
    assert len(occ) == 5 and occ[0] == t
    with pytest.raises(ValueError):
        advance(t, "hourly", 1)
    with pytest.raises(ValueError):
        advance(t, "daily", 0)
