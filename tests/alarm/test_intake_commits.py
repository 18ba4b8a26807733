"""The group-commit queue: bounded groups, order kept, a failing submission isolated, outages propagated."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from campusguard.alarm.intake import CommitQueue, PendingAlarm


class Ledger:
    """A commit function recording each transaction's size; alarms with seq < 0 make it raise."""

    def __init__(self) -> None:
        self.transactions: list[list[int]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.outage = False

    def __call__(self, alarms: list[Any]) -> list[int]:
        self.gate.wait(5)
        if self.outage:
            raise OperationalError("BEGIN", {}, Exception("database is locked"))
        seqs = [a.seq for a in alarms]
        if any(s < 0 for s in seqs):
            raise ValueError("poison")
        self.transactions.append(seqs)
        return seqs


def alarm(seq: int) -> PendingAlarm:
    return PendingAlarm(device=None, event_type="panic", seq=seq, occurred_at=None, source="mqtt")  # type: ignore[arg-type]


async def test_groups_are_bounded_and_results_in_order() -> None:
    ledger = Ledger()
    queue = CommitQueue(ledger, max_group=5)
    ledger.gate.clear()  # hold the first commit so the rest queue up behind it
    first = asyncio.create_task(queue.submit([alarm(0)]))
    await asyncio.sleep(0.05)
    burst = asyncio.create_task(queue.submit([alarm(i) for i in range(1, 13)]))
    singles = [asyncio.create_task(queue.submit([alarm(i)])) for i in range(13, 16)]
    await asyncio.sleep(0.05)
    ledger.gate.set()
    assert await first == [0]
    assert await burst == list(range(1, 13))
    assert [await s for s in singles] == [[13], [14], [15]]
    assert ledger.transactions[0] == [0]
    assert all(len(t) <= 5 for t in ledger.transactions)
    assert sorted(s for t in ledger.transactions for s in t) == list(range(16))
    await queue.close()


async def test_poison_submission_is_isolated_and_outage_propagates() -> None:
    ledger = Ledger()
    queue = CommitQueue(ledger, max_group=5)
    ledger.gate.clear()
    blocker = asyncio.create_task(queue.submit([alarm(100)]))
    await asyncio.sleep(0.05)
    good = asyncio.create_task(queue.submit([alarm(1)]))
    bad = asyncio.create_task(queue.submit([alarm(-1)]))
    ledger.gate.set()
    await blocker
    assert await good == [1]
    with pytest.raises(ValueError):
        await bad
    ledger.outage = True
    with pytest.raises(OperationalError):
        await queue.submit([alarm(2)])
    ledger.outage = False
    assert await queue.submit([alarm(2)]) == [2]  # the retry after the outage commits
    await queue.close()
