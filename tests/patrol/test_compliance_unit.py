"""The staffing formula at and around every anchor the standard names."""

import pytest

from campusguard.patrol.compliance import evaluate, required_guards


@pytest.mark.parametrize(("students", "guards"), [
    (0, 1), (99, 1), (100, 2), (550, 2), (999, 2), (1000, 3), (1001, 4), (1500, 4), (1501, 5),
    (2000, 5), (2001, 6), (3000, 7),
])
def test_required_guards(students: int, guards: int) -> None:
    assert required_guards(students) == guards


def test_negative_students_refused() -> None:
    with pytest.raises(ValueError):
        required_guards(-1)


def test_evaluate_flags_each_failure() -> None:
    ok = evaluate(school_id=1, school_code="S1", school_name="一小", students=1200, guards=4,
                  gatehouse_hours=24, key_area_patrols={"main gate": 6, "pool": 5})
    assert ok.ok and len(ok.checks) == 4
    bad = evaluate(school_id=1, school_code="S1", school_name="一小", students=1200, guards=3,
                   gatehouse_hours=16, key_area_patrols={"main gate": 6, "pool": 4})
    assert not bad.ok
    failed = {c.code for c in bad.checks if not c.ok}
    assert failed == {"guard_headcount", "gatehouse_24h", "key_area_patrols"}
    assert [c.actual for c in bad.checks if c.code == "key_area_patrols" and not c.ok] == [4]
    none = evaluate(school_id=2, school_code="S2", school_name="二小", students=50, guards=1,
                    gatehouse_hours=24, key_area_patrols={})
    assert not none.ok and none.as_dict()["ok"] is False
