"""Alarm commits go first: background writers wait while one is pending, and never longer than the bound."""

from __future__ import annotations

import threading
import time

from campusguard.core.db import WritePriority


def test_background_writer_waits_for_urgent_commit_then_linger() -> None:
    priority = WritePriority(linger_s=0.05, max_wait_s=5.0)
    released: list[float] = []

    def background() -> None:
        priority.wait_turn()
        released.append(time.monotonic())

    with priority.urgent():
        worker = threading.Thread(target=background)
        worker.start()
        time.sleep(0.2)
        assert not released  # held back while the alarm commit is pending
        ended = time.monotonic()
    worker.join(5)
    assert released and released[0] - ended >= 0.045  # and for the linger after it
    assert priority.waited_s >= 0.2


def test_wait_is_bounded_so_nothing_starves() -> None:
    priority = WritePriority(linger_s=0.05, max_wait_s=0.2)
    with priority.urgent():
        started = time.monotonic()
        priority.wait_turn()
        waited = time.monotonic() - started
    assert 0.18 <= waited < 1.0


def test_idle_priority_does_not_wait() -> None:
    priority = WritePriority(linger_s=0.05, max_wait_s=1.0)
    started = time.monotonic()
    priority.wait_turn()
    assert time.monotonic() - started < 0.02
    assert not priority.busy()
