"""The demo hook enrols its key person once and hands the gate simulator a working device token."""

from __future__ import annotations

from sqlalchemy import func, select

from campusguard.face import demo
from campusguard.face.models import FacePerson


def test_demo_prepares_list_and_gate(db, seeded, settings, face_pool) -> None:
    cmds = demo.simulators(settings, "http://127.0.0.1:9")
    assert len(cmds) == 1 and cmds[0][1:3] == ["-m", "sim.gates"]
    again = demo.prepare(db)
    assert again is not None and again[1].startswith("cgd_")
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(FacePerson)) == 1
