"""DC-09 codec against frames built by the simulator's independent encoder and checked by pysiaalarm."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pysiaalarm import SIAAccount
from pysiaalarm.event import SIAEvent
from sim.devices.dc09_panel import build_message, contact_id, crc16, parse_reply, sia

from campusguard.adapters.dc09 import (
    Dc09Error,
    TimestampWindow,
    build_ack,
    build_duh,
    build_nak,
    decode,
    parse_frame,
)
from campusguard.adapters.dc09.crc import crc16_arc

KEY128 = bytes.fromhex("000102030405060708090A0B0C0D0E0F")
KEY256 = bytes(range(32))
WINDOW = TimestampWindow(past_s=40, future_s=20)


def now() -> datetime:
    return datetime.now(UTC)


def test_crc_matches_the_catalogue_check_value_and_the_simulator() -> None:
    assert crc16_arc(b"123456789") == 0xBB3D  # CRC-16/ARC check value
    payload = b'"SIA-DCS"0001R0L0#1234[#1234|Nri1/BA01]'
    assert crc16_arc(payload) == crc16(payload)


def test_independent_encoder_is_accepted_by_pysiaalarm() -> None:
    """The test encoder itself is validated by a third-party decoder before we trust it."""
    frame = build_message("SIA-DCS", "1234", 7, sia("1234", "PA", "003"))
    event = SIAEvent.from_line(frame.decode()[1:-1], {"1234": SIAAccount("1234")})
    assert event.valid_message and event.code == "PA" and event.sequence == "0007"
    text_key = b"0123456789ABCDEF"  # pysiaalarm uses the key string's bytes
    frame = build_message("ADM-CID", "1234", 8, contact_id("1234", 1, 130, 1, 5), key=text_key)
    event = SIAEvent.from_line(frame.decode()[1:-1], {"1234": SIAAccount("1234", "0123456789ABCDEF")})
    assert event.valid_message and event.event_type == "130" and event.event_qualifier == "1"


def test_sia_dcs_unencrypted_panic() -> None:
    frame = build_message("SIA-DCS", "1234", 12, sia("1234", "PA", "003", area="2"))
    header = parse_frame(frame)
    assert (header.token, header.seq, header.account, header.receiver, header.prefix) == (
        "SIA-DCS", "0012", "1234", "0", "0")
    msg = decode(header, None, now=now(), window=WINDOW)
    (event,) = msg.events
    assert (event.event_type, event.restore, event.zone, event.area) == ("panic", False, "003", "2")
    assert msg.timestamp is not None and abs((msg.timestamp - now()).total_seconds()) < 2


@pytest.mark.parametrize(
    ("qualifier", "code", "expected", "restore"),
    [
        (1, 120, "panic", False), (1, 121, "duress", False), (1, 122, "panic", False),
        (1, 123, "panic", False), (1, 124, "duress", False), (1, 125, "duress", False),
        (1, 110, "fire", False), (1, 100, "medical", False), (1, 130, "intrusion", False),
        (1, 137, "tamper", False), (1, 301, "power", False), (3, 302, "battery", True),
        (1, 602, "test", False), (3, 130, "intrusion", True),
    ],
)
def test_contact_id_mapping(qualifier: int, code: int, expected: str, restore: bool) -> None:
    frame = build_message("ADM-CID", "ABC123", 1, contact_id("ABC123", qualifier, code, 1, 9))
    (event,) = decode(parse_frame(frame), None, now=now(), window=WINDOW).events
    assert (event.event_type, event.restore, event.zone) == (expected, restore, "009")


def test_sia_codes_multiple_events_and_restores() -> None:
    frame = build_message("SIA-DCS", "1234", 3, "#1234|Nri1/BA01/ri2/FA07/id5/TR02")
    events = decode(parse_frame(frame), None, now=now(), window=WINDOW).events
    assert [(e.code, e.event_type, e.restore, e.area) for e in events] == [
        ("BA", "intrusion", False, "1"), ("FA", "fire", False, "2"), ("TR", "tamper", True, "2")]
    assert events[2].user == "5"


@pytest.mark.parametrize("key", [KEY128, bytes(range(24)), KEY256])
def test_encrypted_roundtrip_and_encrypted_ack(key: bytes) -> None:
    frame = build_message("SIA-DCS", "1234", 44, sia("1234", "HA", "01"), key=key)
    header = parse_frame(frame)
    assert header.encrypted
    msg = decode(header, key, now=now(), window=WINDOW, require_encryption=True)
    assert msg.events[0].event_type == "duress"
    reply = parse_reply(build_ack(header, key=key, now=now()), key)
    assert reply.token == "*ACK" and reply.seq == "0044" and reply.account == "1234"
    assert reply.timestamp is not None  # encrypted ACK carries a timestamp


def test_ack_nak_duh_wire_format() -> None:
    header = parse_frame(build_message("NULL", "1234", 9, "", receiver="12", prefix="3"))
    ack = build_ack(header, key=None, now=now())
    assert ack[9:-1] == b'"ACK"0009R12L3#1234[]'
    assert parse_reply(ack).token == "ACK"
    nak = build_nak(now=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert nak[9:-1] == b'"NAK"0000R0L0A0[]_03:04:05,01-02-2026'
    parse_reply(nak)  # CRC and length valid
    assert build_duh(header)[9:-1] == b'"DUH"0009R12L3#1234[]'


def test_bad_crc_length_and_garbage_are_nak() -> None:
    frame = bytearray(build_message("SIA-DCS", "1234", 1, sia("1234", "PA")))
    frame[-5] ^= 0x01  # flip a timestamp digit
    with pytest.raises(Dc09Error) as err:
        parse_frame(bytes(frame))
    assert (err.value.reason, err.value.reply) == ("crc", "NAK")
    good = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"))
    with pytest.raises(Dc09Error) as err:
        parse_frame(good[:9] + good[10:])
    assert err.value.reason == "length"
    for junk in (b"", b"\r", b"hello\r", b"\nZZZZ0000\r", b"\n" + b"A" * 5000 + b"\r", b"\n\x00\xff\r"):
        with pytest.raises(Dc09Error) as err:
            parse_frame(junk)
        assert err.value.reply == "NAK"


def test_timestamp_window() -> None:
    stale = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"), key=KEY128,
                          timestamp=now() - timedelta(seconds=120))
    with pytest.raises(Dc09Error) as err:
        decode(parse_frame(stale), KEY128, now=now(), window=WINDOW)
    assert (err.value.reason, err.value.reply) == ("timestamp", "NAK")
    future = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"), timestamp=now() + timedelta(seconds=60))
    with pytest.raises(Dc09Error):
        decode(parse_frame(future), None, now=now(), window=WINDOW)
    slight = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"), timestamp=now() - timedelta(seconds=30))
    assert decode(parse_frame(slight), None, now=now(), window=WINDOW).events
    untimed = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"), with_timestamp=False)
    assert decode(parse_frame(untimed), None, now=now(), window=WINDOW).timestamp is None


def test_refusals_that_are_duh() -> None:
    wrong_key = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"), key=KEY128)
    with pytest.raises(Dc09Error) as err:
        decode(parse_frame(wrong_key), bytes(16), now=now(), window=WINDOW)
    assert err.value.reply == "DUH"
    plain = build_message("SIA-DCS", "1234", 1, sia("1234", "PA"))
    with pytest.raises(Dc09Error) as err:
        decode(parse_frame(plain), KEY128, now=now(), window=WINDOW, require_encryption=True)
    assert err.value.reason == "encryption_required"
    spoof = build_message("SIA-DCS", "1234", 1, sia("9999", "PA"))
    with pytest.raises(Dc09Error) as err:
        decode(parse_frame(spoof), None, now=now(), window=WINDOW)
    assert err.value.reason == "account_mismatch"
    odd = build_message("SIA-XYZ", "1234", 1, sia("1234", "PA"))
    with pytest.raises(Dc09Error) as err:
        decode(parse_frame(odd), None, now=now(), window=WINDOW)
    assert (err.value.reason, err.value.reply) == ("unsupported_token", "DUH")
