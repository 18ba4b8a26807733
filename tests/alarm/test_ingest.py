"""The intake contract: device events become exactly one incident, with cameras, plan and outbox event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from campusguard.alarm import plans, service
from campusguard.alarm.models import DeviceEvent, Incident
from campusguard.core.db import Database
from campusguard.core.models import OutboxEvent


def test_press_creates_one_incident_and_duplicates_are_absorbed(db: Database, city: dict[str, Any]) -> None:
    with db.session() as s:
        plans.seed_default_plans(s)
    now = datetime.now(UTC)
    with db.session() as s:
        first = service.ingest_device_event(
            s,
            device_id=city["button"],
            event_type="panic",
            seq=41,
            occurred_at=now,
            source="mqtt",
            detail={"battery": 88},
        )
    with db.session() as s:
        again = service.ingest_device_event(
            s, device_id=city["button"], event_type="panic", seq=41, occurred_at=now, source="mqtt", detail={}
        )
    assert first.incident_id is not None and not first.duplicate
    assert again.duplicate and again.incident_id == first.incident_id
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Incident)) == 1
        assert s.scalar(select(func.count()).select_from(DeviceEvent)) == 1
        inc = s.get(Incident, first.incident_id)
        assert inc is not None
        assert (inc.status, inc.priority, inc.is_drill, inc.type) == ("raised", "critical", False, "panic")
        assert inc.school_id == city["kg"] and inc.area_id == city["button_area"]
        assert inc.cameras and inc.cameras[0]["same_area"] is True
        assert inc.plan_id is not None  # the kindergarten variant of the panic plan
        assert "幼儿园" in (s.get(plans.Plan, inc.plan_id).title)  # type: ignore[union-attr]
        assert inc.detail["battery"] == 88
        raised = s.scalars(select(OutboxEvent).where(OutboxEvent.type == "alarm.raised")).all()
        assert len(raised) == 1
        payload = raised[0].payload
        assert payload["school_code"] == city["kg_code"] and payload["district_code"] == city["district"]
        assert payload["cameras"] and payload["alarm_type"] == "panic" and payload["priority"] == "critical"


def test_test_press_is_recorded_resolved_with_outcome_test(db: Database, city: dict[str, Any]) -> None:
    with db.session() as s:
        res = service.ingest_device_event(
            s,
            device_id=city["button"],
            event_type="test",
            seq=None,
            occurred_at=datetime.now(UTC),
            source="http",
            detail={},
        )
    with db.session() as s:
        inc = s.get(Incident, res.incident_id)
        assert inc is not None and inc.status == "resolved" and inc.outcome == "test"
        counts = service.real_incident_counts(
            s, None, datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
        )
        assert counts == {}


def test_dedup_window_absorbs_late_redelivery_but_not_a_rebooted_device(db: Database, city: dict[str, Any]) -> None:
    """Same device+seq within the window (even arriving hours late) is one alarm; the seq reused later is new."""
    first_at = datetime.now(UTC) - timedelta(hours=3)

    def press(seq: int, at: datetime) -> service.IngestResult:
        with db.session() as s:
            return service.ingest_device_event(
                s, device_id=city["button"], event_type="panic", seq=seq, occurred_at=at, source="mqtt", detail={}
            )

    original = press(1, first_at)
    redelivered = press(1, first_at)  # the broker redelivers the un-PUBACKed message hours later
    retried = press(1, first_at + timedelta(seconds=30))  # a device retry re-stamped within the window
    assert not original.duplicate and redelivered.duplicate and retried.duplicate
    assert redelivered.incident_id == retried.incident_id == original.incident_id

    rebooted = press(1, first_at + service.DEDUP_WINDOW + timedelta(hours=1))  # counts from 1 again
    assert not rebooted.duplicate and rebooted.incident_id not in (None, original.incident_id)
    again = press(1, first_at + service.DEDUP_WINDOW + timedelta(hours=1))  # its own redelivery
    assert again.duplicate and again.incident_id == rebooted.incident_id
    late_old = press(1, first_at)  # a copy of the first message after the reboot: still the first alarm
    assert late_old.duplicate and late_old.incident_id == original.incident_id
    with db.session() as s:
        rows = s.scalars(select(DeviceEvent).where(DeviceEvent.device_id == city["button"])
                         .order_by(DeviceEvent.id)).all()
        assert [(r.seq, r.retired_seq) for r in rows][:2] == [(None, 1), (1, None)]
        assert s.scalar(select(func.count()).select_from(Incident)) == 2
