"""The audit chain detects edits, deletions and reordering; the CLI reports it."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy import text

from campusguard.core import audit
from campusguard.core.auth import SYSTEM
from campusguard.core.db import Database


def _write(db: Database, n: int) -> None:
    with db.session() as s:
        for i in range(n):
            audit.record(s, principal=SYSTEM, action="test.write", target_type="thing", target_id=i,
                         detail={"i": i, "text": "中文"})


def test_chain_verifies_and_detects_tampering(db: Database) -> None:
    _write(db, 5)
    with db.session() as s:
        result = audit.verify(s)
    assert result.ok and result.rows == 5
    with db.session() as s:
        s.execute(text("UPDATE audit_log SET detail = :d WHERE seq = 3"), {"d": '{"i": 99}'})
    with db.session() as s:
        result = audit.verify(s)
    assert not result.ok and result.first_bad_seq == 3 and "content" in result.reason


def test_deleting_the_newest_rows_is_detected(db: Database) -> None:
    _write(db, 4)
    with db.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 4"))
    with db.session() as s:
        result = audit.verify(s)
    assert not result.ok and "tip" in result.reason


def test_deleting_a_middle_row_is_detected(db: Database) -> None:
    _write(db, 4)
    with db.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with db.session() as s:
        result = audit.verify(s)
    assert not result.ok and result.first_bad_seq == 2


def test_cli_audit_verify_exit_codes(db: Database, db_url: str) -> None:
    _write(db, 3)
    env = {**os.environ, "CG_DATABASE_URL": db_url, "CG_SECRET_KEY": "x" * 32}
    cmd = [sys.executable, "-m", "campusguard.cli", "audit", "verify"]
    ok = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stderr
    assert '"ok": true' in ok.stdout
    with db.session() as s:
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    bad = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
    assert bad.returncode == 1
    assert '"first_bad_seq": 1' in bad.stdout
