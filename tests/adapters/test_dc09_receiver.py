"""The asyncio DC-09 receiver over real TCP and UDP sockets, with the simulated panel and `nc`."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator

import pytest
from prometheus_client import REGISTRY
from sim.devices.dc09_panel import Dc09Panel, build_message, parse_reply, sia

from campusguard.adapters.dc09 import AccountInfo, Dc09Message, Dc09Receiver, Rejection

KEY = bytes.fromhex("2B7E151628AED2A6ABF7158809CF4F3C")


class Sink:
    """Stands in for the platform: records committed messages; can be told to hold or fail."""

    def __init__(self) -> None:
        self.messages: list[Dc09Message] = []
        self.rejections: list[Rejection] = []
        self.gate: asyncio.Event | None = None
        self.fail = False

    async def handle(self, msg: Dc09Message) -> bool:
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("database down")
        self.messages.append(msg)
        return True

    async def accounts(self, account: str) -> AccountInfo | None:
        return {"1234": AccountInfo(None), "C0FFEE": AccountInfo(KEY)}.get(account)

    async def reject(self, rejection: Rejection) -> None:
        self.rejections.append(rejection)


@pytest.fixture
async def served() -> AsyncIterator[tuple[Dc09Receiver, Sink]]:
    sink = Sink()
    receiver = Dc09Receiver(sink.handle, sink.accounts, on_reject=sink.reject, idle_timeout_s=5)
    await receiver.start("127.0.0.1", 0)
    try:
        yield receiver, sink
    finally:
        await receiver.stop()


def rejected(reason: str) -> float:
    return REGISTRY.get_sample_value("campusguard_dc09_rejected_total", {"reason": reason}) or 0.0


@pytest.mark.parametrize("transport", ["tcp", "udp"])
async def test_alarm_is_acked_after_commit(served: tuple[Dc09Receiver, Sink], transport: str) -> None:
    receiver, sink = served
    assert receiver.port
    panel = Dc09Panel("127.0.0.1", receiver.port, "1234", transport=transport)
    sink.gate = asyncio.Event()
    pending = asyncio.create_task(panel.alarm_cid(1, 120, zone=4))
    await asyncio.sleep(0.2)
    assert not pending.done() and sink.messages == []  # no ACK while the handler has not committed
    sink.gate.set()
    reply = await pending
    assert (reply.token, reply.seq) == ("ACK", "0001")
    assert sink.messages[0].events[0].event_type == "panic"
    assert (await panel.link_test()).token == "ACK"
    await panel.close()


async def test_encrypted_panel_gets_encrypted_ack(served: tuple[Dc09Receiver, Sink]) -> None:
    receiver, sink = served
    assert receiver.port
    panel = Dc09Panel("127.0.0.1", receiver.port, "C0FFEE", key=KEY)
    reply = await panel.alarm_sia("FA", "12")
    assert reply.token == "*ACK" and reply.timestamp
    assert sink.messages[-1].events[0].event_type == "fire"
    await panel.close()


async def test_refusals_keep_the_listener_alive(served: tuple[Dc09Receiver, Sink]) -> None:
    receiver, sink = served
    assert receiver.port
    panel = Dc09Panel("127.0.0.1", receiver.port, "1234")
    before = rejected("crc")
    bad = bytearray(build_message("SIA-DCS", "1234", 5, sia("1234", "PA")))
    bad[12] ^= 0x02
    nak = parse_reply(await panel.send_raw(bytes(bad)))
    assert nak.token == "NAK" and nak.timestamp  # NAK carries the receiver clock
    assert rejected("crc") == before + 1
    assert parse_reply(await panel.send_raw(b"\x00\xff garbage \r")).token == "NAK"
    stranger = Dc09Panel("127.0.0.1", receiver.port, "BEEF")
    assert (await stranger.alarm_sia("PA")).token == "DUH"
    plain_for_keyed = Dc09Panel("127.0.0.1", receiver.port, "C0FFEE")
    assert (await plain_for_keyed.alarm_sia("PA")).token == "DUH"
    assert (await panel.alarm_sia("OP")).token == "DUH"  # opening report: nothing to raise
    assert {r.reason for r in sink.rejections} >= {"crc", "format", "unknown_account",
                                                    "encryption_required", "unsupported_code"}
    assert all(r.transport == "tcp" for r in sink.rejections)
    assert sink.messages == []
    assert (await panel.alarm_sia("BA")).token == "ACK"  # same connection still served
    for p in (panel, stranger, plain_for_keyed):
        await p.close()


async def test_handler_failure_gets_no_ack(served: tuple[Dc09Receiver, Sink]) -> None:
    receiver, sink = served
    assert receiver.port
    sink.fail = True
    panel = Dc09Panel("127.0.0.1", receiver.port, "1234", transport="udp", timeout_s=0.5)
    with pytest.raises(TimeoutError):
        await panel.alarm_sia("PA")
    sink.fail = False
    assert (await panel.alarm_sia("PA")).token == "ACK"  # the retransmission succeeds


async def test_oversize_stream_is_dropped(served: tuple[Dc09Receiver, Sink]) -> None:
    receiver, _ = served
    assert receiver.port
    reader, writer = await asyncio.open_connection("127.0.0.1", receiver.port)
    writer.write(b"\n" + b"9" * 20000)
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 5) == b""  # server closed the connection
    writer.close()
    panel = Dc09Panel("127.0.0.1", receiver.port, "1234")
    assert (await panel.alarm_sia("PA")).token == "ACK"
    await panel.close()


@pytest.mark.skipif(shutil.which("nc") is None, reason="netcat not installed")
async def test_netcat_frame_gets_ack(served: tuple[Dc09Receiver, Sink]) -> None:
    receiver, sink = served
    frame = build_message("ADM-CID", "1234", 77, "#1234|1137 01 002")
    proc = await asyncio.create_subprocess_exec(
        "nc", "-q", "2", "127.0.0.1", str(receiver.port),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await asyncio.wait_for(proc.communicate(frame), 10)
    reply = parse_reply(out[out.rfind(b"\n"):])
    assert (reply.token, reply.seq, reply.account) == ("ACK", "0077", "1234")
    assert sink.messages[-1].events[0].event_type == "tamper"
